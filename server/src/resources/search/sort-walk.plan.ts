import type { Resource } from '../resource.entity.js';
import type { PlannedSearch } from './planned-search.js';
import type { SearchLimits } from './search-limits.js';
import type { SearchTables } from './search-tables.js';
import { wordStartPattern } from './search-terms.js';
import { indexHoldsNames, sorted, type SortOrder } from './sort-order.js';
import type { WordRange } from './word-ranges.js';

/** Steps of a walk of the sort index; each reads at most twice the last, so a walk reads at most 31 first steps' worth. */
const WALK_MAX_STEPS = 5;

export interface WalkResult {
  rows: Resource[];
  /** Set when the walk read the whole catalog, so every match was seen. */
  matchesInCatalog?: number;
}

/**
 * The walk, for a search whose every word is broad: the requested page of matches, found
 * by reading the catalog in the sort order in steps that double and keeping the resources
 * that have every word (`walkStep`). Null when the page lies too deep or matches are
 * too sparse (the caller then starts from the rarest word's range instead).
 */
export async function walkSortIndex(
  tables: SearchTables,
  limits: SearchLimits,
  { ranges, literal, order, page, size }: PlannedSearch,
): Promise<WalkResult | null> {
  const checks = await wordChecks(tables, ranges);
  // Matching ids in the sort order (each step's matches come in its order, steps follow
  // each other): only the requested page's rows are read in full, once, at the end.
  const hits: string[] = [];
  let offset = 0;
  const maxRead = limits.walkBatch * (2 ** WALK_MAX_STEPS - 1);
  let batchSize = limits.walkBatch;
  const pageRows = async () => {
    const ids = hits.slice((page - 1) * size, page * size);
    if (!ids.length) return [];
    return sorted(tables.summaries().where('r.id IN (:...ids)', { ids }), order).getMany();
  };
  while (batchSize > 0) {
    const { read, matches } = await walkStep(tables, checks, order, offset, batchSize);
    offset += read;
    if (literal && matches.length) {
      const kept = await tables
        .withLiteral(tables.resources().select('r.id', 'id').where('r.id IN (:...matches)', { matches }), literal)
        .getRawMany<{ id: string }>();
      const keptIds = new Set(kept.map((r) => r.id));
      hits.push(...matches.filter((id) => keptIds.has(id)));
    } else {
      hits.push(...matches);
    }
    // At the end of the catalog every match has been seen: the total is known.
    if (read < batchSize) return { rows: await pageRows(), matchesInCatalog: hits.length };
    if (hits.length >= page * size) return { rows: await pageRows() };
    // The next step doubles the last, or reads just past where the matches seen so far
    // say the page fills (x1.5), when that is less: the tail of a page of a rare pair.
    const needed = hits.length ? Math.ceil(((page * size - hits.length) * offset * 1.5) / hits.length) : Infinity;
    batchSize = Math.min(2 * batchSize, maxRead - offset, Math.max(needed, Math.ceil(limits.walkBatch / 8)));
  }
  return null;
}

/**
 * How a walk tells whether a position has a word: in its name (checked here on the
 * lower-cased name) or among the resources that have it elsewhere (its description or
 * tags, or the tag itself): those are read once per search when they are few, and probed
 * per position when they are many.
 */
interface WordCheck {
  range: WordRange;
  inName: RegExp | null;
  /** The resources having it outside the name; null when too many to hold (probe instead). */
  outside: Set<string> | null;
}

/** Most resources read per word to check its matches outside names in memory. */
const OUTSIDE_SET_MAX = 5_000;

async function wordChecks(tables: SearchTables, ranges: WordRange[]): Promise<WordCheck[]> {
  return Promise.all(
    ranges.map(async (range) => ({
      range,
      inName: range.tag ? null : wordStartPattern(range.word),
      outside: await tables.idsUpTo(range.outside, OUTSIDE_SET_MAX),
    })),
  );
}

/**
 * The resources at `offset`..`offset + limit` of the sort order that have every word (in
 * their name, description or tags) and the tag, and how many positions were read.
 * SQLite reads the lower-cased names along the sort index and checks the words here
 * (rows sit in publish order, so this reads mostly neighbouring pages; the default sort's
 * index holds the names itself). So does MySQL for the sorts whose index holds the names
 * (`indexHoldsNames`), index only. A word a name lacks may still be in that resource's
 * description or tags (`WordCheck`). For the other sorts MySQL reads the positions from
 * the sort index alone (it ends in the primary key) and probes the word table by its
 * primary key, rarest word first: fetching names there would be a random primary-key
 * read of each wide resources row, a disk read each once the table outgrows the buffer pool.
 */
async function walkStep(
  tables: SearchTables,
  checks: WordCheck[],
  order: SortOrder,
  offset: number,
  limit: number,
): Promise<{ read: number; matches: string[] }> {
  const positions = sorted(tables.resources(), order).offset(offset).limit(limit);
  if (!tables.isMysql || indexHoldsNames(order)) {
    // raw rows: building entities cost more than the read for tens of thousands of positions
    const batch = await positions
      .select('r.id', 'id')
      .addSelect('r.nameLower', 'nameLower')
      .getRawMany<{ id: string; nameLower: string }>();
    let matches = batch.map((r) => r.id);
    const names = new Map(batch.map((r) => [r.id, r.nameLower]));
    for (const check of checks) {
      const unsure: string[] = [];
      matches = matches.filter((id) => {
        if (check.inName?.test(names.get(id)!) || check.outside?.has(id)) return true;
        if (!check.outside) unsure.push(id);
        return false;
      });
      if (unsure.length) {
        const found = new Set(await tables.probe(unsure, { spans: [check.range.outside] }));
        const kept = new Set(matches);
        matches = batch.map((r) => r.id).filter((id) => kept.has(id) || found.has(id));
      }
    }
    return { read: batch.length, matches };
  }
  const ids = (await positions.select('r.id', 'id').getRawMany<{ id: string }>()).map((r) => r.id);
  let matches = ids;
  for (const { range } of checks) {
    if (!matches.length) break;
    matches = await tables.probe(matches, range);
  }
  return { read: ids.length, matches };
}
