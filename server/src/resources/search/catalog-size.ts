import type { SearchTables } from './search-tables.js';

const CATALOG_COUNT_TTL_MS = 5_000;

/**
 * The size of the whole catalog, for the unfiltered browse table: counting every InnoDB
 * row of a large catalog is slow, so it is reused for a few seconds (and forgotten on publish
 * and delete by this instance).
 */
export class CatalogSize {
  private counted: { at: number; n: number } | null = null;

  constructor(private readonly tables: SearchTables) {}

  async get(): Promise<number> {
    if (this.counted && Date.now() - this.counted.at < CATALOG_COUNT_TTL_MS) return this.counted.n;
    const n = await this.tables.count(this.tables.resources());
    this.counted = { at: Date.now(), n };
    return n;
  }

  forget(): void {
    this.counted = null;
  }
}
