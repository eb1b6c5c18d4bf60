import { rangeCountLimit, type SearchLimits } from './search-limits.js';
import { LITERAL_MATCH, type SearchTables } from './search-tables.js';
import { spansSql, spansWhere, type WordRange } from './word-ranges.js';

export interface MatchCount {
  total: number;
  /** Only the first `countBudget` names of the rarest word were checked. */
  lowerBound?: boolean;
}

/**
 * The total of a search whose every word is broad. One word: its distinct names, up to
 * just past the cap. Several: the first `countBudget` names of the rarest word, probed for
 * the others; when that range is longer and fewer than the cap matched, the count is a
 * lower bound.
 */
export async function countMatches(
  tables: SearchTables,
  limits: SearchLimits,
  ranges: WordRange[],
  literal: string | null,
): Promise<MatchCount> {
  const [first, ...others] = ranges;
  if (!others.length && !literal) {
    const distinct = tables
      .tokens('t')
      .select('DISTINCT t.resourceId', 'id')
      .where(...spansWhere('t', first.spans, 's'));
    return { total: await tables.countUpTo(distinct, limits.countCap + 1) };
  }
  const budget = limits.countBudget;
  // One statement: the first `budget` rows of the rarest word's range (index only), each
  // kept when the other words (and the literal) match, probed inside the database by the
  // word table's primary key. Sending the ids back and forth as IN lists cost more than
  // the probes themselves on both databases.
  const [firstSql, firstParams] = spansSql('t', first.spans);
  const params: unknown[] = [...firstParams];
  const conditions = others.map((range) => {
    const [sql, p] = spansSql('o', range.spans);
    params.push(...p);
    return `EXISTS (SELECT 1 FROM resource_name_tokens o WHERE o.resourceId = h.resourceId AND ${sql})`;
  });
  if (literal) {
    params.push(literal, literal);
    conditions.push(`EXISTS (SELECT 1 FROM resources r WHERE r.id = h.resourceId AND ${LITERAL_MATCH})`);
  }
  const total = await tables.countOf(
    `SELECT COUNT(DISTINCT h.resourceId) AS n FROM (SELECT t.resourceId FROM resource_name_tokens t` +
      ` WHERE ${firstSql} ORDER BY t.token, t.resourceId LIMIT ${budget}) h` +
      (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''),
    params,
  );
  if (total > limits.countCap) return { total };
  // The range was counted up to a limit above the budget (wordRanges); only a budget at
  // or above that limit needs a count of its own.
  const limit = rangeCountLimit(limits);
  const rangeRows = first.rows < limit ? first.rows : await tables.rangeRowsUpTo(first.spans, budget + 1);
  return rangeRows <= budget ? { total } : { total, lowerBound: true };
}
