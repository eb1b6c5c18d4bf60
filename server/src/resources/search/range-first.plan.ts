import { countMatches } from './match-count.js';
import type { PlannedSearch, PlanResult } from './planned-search.js';
import type { SearchLimits } from './search-limits.js';
import type { SearchTables } from './search-tables.js';
import { sorted } from './sort-order.js';
import { spansWhere } from './word-ranges.js';

/** Largest match list sorted by `id IN (...)`; beyond it the database sorts a subquery. */
const SORT_IN_MAX = 20_000;

/**
 * Range first, for a search whose rarest word starts few names: read that word's index
 * range, keep the ids whose names also have the other words (probed by the word table's
 * primary key), and sort just those. The total is exact.
 */
export async function rangeFirst(
  tables: SearchTables,
  limits: SearchLimits,
  { ranges, literal, order, page, size }: PlannedSearch,
): Promise<PlanResult> {
  const [first, ...others] = ranges;
  const inFirst = await tables
    .tokens('t')
    .select('t.resourceId', 'id')
    .where(...spansWhere('t', first.spans, 's'))
    .getRawMany<{ id: string }>();
  let matches = [...new Set(inFirst.map((r) => r.id))];
  for (const range of others) matches = await tables.probe(matches, range);
  const sortInMax = limits.sortInMax ?? SORT_IN_MAX;
  if (matches.length > sortInMax) {
    // Too many to list: the database sorts them from subqueries (a deep page of a broad search).
    const qb = tables.summaries();
    ranges.forEach((range, i) => {
      const [inSpans, params] = spansWhere(`t${i}`, range.spans, `r${i}`);
      qb.andWhere(`r.id IN (SELECT t${i}.resourceId FROM resource_name_tokens t${i} WHERE ${inSpans})`, params);
    });
    const rows = await sorted(tables.withLiteral(qb, literal), order)
      .offset((page - 1) * size)
      .limit(size)
      .getMany();
    return { rows, ...(literal ? await countMatches(tables, limits, ranges, literal) : { total: matches.length }) };
  }
  if (!matches.length) return { rows: [], total: 0 };
  // `count` replaces the selection, so one builder serves the page and the total.
  const byIds = () => tables.withLiteral(tables.summaries().where('r.id IN (:...matches)', { matches }), literal);
  const rows = await sorted(byIds(), order)
    .offset((page - 1) * size)
    .limit(size)
    .getMany();
  return { rows, total: literal ? await tables.count(byIds()) : matches.length };
}
