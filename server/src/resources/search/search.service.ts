import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { tagToken } from '../name-tokens.js';
import { CatalogSize } from './catalog-size.js';
import { countMatches } from './match-count.js';
import type { PlannedSearch, PlanResult } from './planned-search.js';
import { rangeFirst } from './range-first.plan.js';
import { rangeCountLimit, SEARCH_LIMITS, type SearchLimits } from './search-limits.js';
import type { SearchRequest, SearchResult } from './search-request.js';
import { SearchTables } from './search-tables.js';
import { searchTerms } from './search-terms.js';
import { sorted, sortOrder, type SortOrder } from './sort-order.js';
import { walkSortIndex } from './sort-walk.plan.js';
import { wordRanges } from './word-ranges.js';

/**
 * Browses and searches the catalog. A search with words picks one of two plans:
 * - range first (`range-first.plan.ts`): when the rarest word starts few names (at most
 *   the walk threshold), start from that word's index range;
 * - walk (`sort-walk.plan.ts`): when every word is broad, read the catalog in the sort
 *   order until the page is full, and count the total from the rarest word's range,
 *   capped (`match-count.ts`). A walk that finds too few matches falls back to range first.
 */
@Injectable()
export class SearchService {
  private readonly tables: SearchTables;
  private readonly catalogSize: CatalogSize;

  constructor(
    @InjectDataSource() db: DataSource,
    @Inject(SEARCH_LIMITS) private readonly limits: SearchLimits,
  ) {
    this.tables = new SearchTables(db);
    this.catalogSize = new CatalogSize(this.tables);
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    const { words, literal } = searchTerms(request.q);
    const order = sortOrder(request.sort);
    // A tag is one more range of the word table, an exact one.
    const tokens = request.tag ? [...words, tagToken(request.tag)] : words;
    if (!tokens.length) return this.browse(literal, order, request.page, request.size);
    const ranges = await wordRanges(this.tables, tokens, rangeCountLimit(this.limits));
    const found = await this.plan({ ranges, literal, order, page: request.page, size: request.size });
    const cap = this.limits.countCap;
    return {
      rows: found.rows,
      total: Math.min(found.total, cap),
      totalCapped: found.total > cap || !!found.lowerBound,
    };
  }

  /** The catalog's size changed (a publish or a delete on this instance). */
  catalogChanged(): void {
    this.catalogSize.forget();
  }

  /** The whole catalog, or a query of punctuation only (the literal filter alone). */
  private async browse(literal: string | null, order: SortOrder, page: number, size: number): Promise<SearchResult> {
    const rows = await sorted(this.tables.withLiteral(this.tables.summaries(), literal), order)
      .offset((page - 1) * size)
      .limit(size)
      .getMany();
    const total = literal
      ? await this.tables.count(this.tables.withLiteral(this.tables.resources(), literal))
      : await this.catalogSize.get();
    return { rows, total, totalCapped: false };
  }

  private async plan(search: PlannedSearch): Promise<PlanResult> {
    if (search.ranges[0].rows <= this.limits.walkThreshold) return rangeFirst(this.tables, this.limits, search);
    // The count does not depend on the walk: on MySQL the database counts while the server
    // reads the walk's rows (it is wasted when the walk reaches the end or falls back).
    const counting = countMatches(this.tables, this.limits, search.ranges, search.literal);
    counting.catch(() => undefined); // awaited below unless the walk fails first
    const walked = await walkSortIndex(this.tables, this.limits, search);
    if (!walked) return rangeFirst(this.tables, this.limits, search);
    const { rows, matchesInCatalog } = walked;
    if (matchesInCatalog !== undefined) return { rows, total: matchesInCatalog };
    const counted = await counting;
    // A lower bound is at least what this page shows.
    return counted.lowerBound
      ? { rows, total: Math.max(counted.total, (search.page - 1) * search.size + rows.length), lowerBound: true }
      : { rows, ...counted };
  }
}
