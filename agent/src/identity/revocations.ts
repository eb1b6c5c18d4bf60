import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../util/atomic-file.js';

/** Node ids the server says are revoked (from heartbeats); kept on disk so a restart still refuses them. */
export class Revocations {
  private readonly ids = new Set<string>();

  constructor(private readonly file: string | null) {}

  async load(): Promise<void> {
    if (!this.file) return;
    const text = await readFile(this.file, 'utf8').catch(() => '[]');
    for (const id of JSON.parse(text) as string[]) this.ids.add(id);
  }

  has(nodeId: string): boolean {
    return this.ids.has(nodeId);
  }

  /** Adds ids; returns those not known before (so callers can drop live connections to them). */
  async add(nodeIds: readonly string[]): Promise<string[]> {
    const fresh = nodeIds.filter((id) => !this.ids.has(id));
    if (fresh.length === 0) return [];
    for (const id of fresh) this.ids.add(id);
    if (this.file) await writeJsonAtomic(this.file, [...this.ids]);
    return fresh;
  }
}
