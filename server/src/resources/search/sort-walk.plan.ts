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
  // A tag is never in the name: with one, every position is probed.
  const starts = ranges.some((r) => r.tag) ? null : ranges.map((r) => wordStartPattern(r.word));
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
    const { read, matches } = await walkStep(tables, ranges, starts, order, offset, batchSize);
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
 * The resources at `offset`..`offset + limit` of the sort order that have every word (in
 * their name, description or tags) and the tag, and how many positions were read.
 * SQLite reads the lower-cased names along the sort index and checks the words here
 * (rows sit in publish order, so this reads mostly neighbouring pages; the default sort's
 * index holds the names itself). So does MySQL for the sorts whose index holds the names
 * (`indexHoldsNames`), index only. A position whose name does not have every word (or
 * that needs a tag) may still match by its description or tags: those are probed in the
 * word table by its primary key, rarest word first. For the other sorts MySQL reads the
 * positions from the sort index alone (it ends in the primary key) and probes them all:
 * fetching names there would be a random primary-key read of each wide resources row,
 * a disk read each once the table outgrows the buffer pool.
 */
async function walkStep(
  tables: SearchTables,
  ranges: WordRange[],
  starts: RegExp[] | null,
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
    const byName = new Set(
      starts ? batch.filter((r) => starts.every((re) => re.test(r.nameLower))).map((r) => r.id) : [],
    );
    const probed = new Set(
      await probeAll(
        tables,
        batch.filter((r) => !byName.has(r.id)).map((r) => r.id),
        ranges,
      ),
    );
    return { read: batch.length, matches: batch.filter((r) => byName.has(r.id) || probed.has(r.id)).map((r) => r.id) };
  }
  const ids = (await positions.select('r.id', 'id').getRawMany<{ id: string }>()).map((r) => r.id);
  return { read: ids.length, matches: await probeAll(tables, ids, ranges) };
}

/** The ids (in their order) that have a word in every range. */
async function probeAll(tables: SearchTables, ids: string[], ranges: WordRange[]): Promise<string[]> {
  let matches = ids;
  for (const range of ranges) {
    if (!matches.length) break;
    matches = await tables.probe(matches, range);
  }
  return matches;
}
