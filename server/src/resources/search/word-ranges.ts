import { prefixRange } from '../../common/prefix-range.js';
import { EXTRA_WORD_MARK, isTagToken } from '../name-tokens.js';
import type { SearchTables } from './search-tables.js';

/** A half-open range of the word table's tokens, [from, to). */
export type Span = readonly [from: string, to: string];

/**
 * A query word (or a whole tag) with the token ranges that hold it and how many token rows
 * they have (counted up to a cap). A word is in the name's words or in the marked words of
 * the description and tags; a tag only in its own entry.
 */
export interface WordRange {
  word: string;
  spans: Span[];
  /** The span of the words found outside the name (the marked ones, or the tag). */
  outside: Span;
  rows: number;
  /** A whole tag (`?tag=`), not a word: never found in the name itself. */
  tag: boolean;
}

function wordRange(word: string): Omit<WordRange, 'rows'> {
  if (isTagToken(word)) {
    const span = prefixRange(word);
    return { word, spans: [span], outside: span, tag: true };
  }
  const outside = prefixRange(EXTRA_WORD_MARK + word);
  return { word, spans: [prefixRange(word), outside], outside, tag: false };
}

/**
 * "A token of `alias` lies in one of the range's spans", with named parameters prefixed
 * `key` (so several ranges fit in one statement).
 */
export function spansWhere(alias: string, spans: readonly Span[], key: string): [string, Record<string, string>] {
  const params: Record<string, string> = {};
  const sql = spans
    .map(([from, to], i) => {
      params[`${key}f${i}`] = from;
      params[`${key}t${i}`] = to;
      return `(${alias}.token >= :${key}f${i} AND ${alias}.token < :${key}t${i})`;
    })
    .join(' OR ');
  return [`(${sql})`, params];
}

/** The same with positional (`?`) parameters, for raw statements. */
export function spansSql(alias: string, spans: readonly Span[]): [string, string[]] {
  return [
    `(${spans.map(() => `(${alias}.token >= ? AND ${alias}.token < ?)`).join(' OR ')})`,
    spans.flatMap(([from, to]) => [from, to]),
  ];
}

/**
 * Each word's ranges with their row count up to `limit`, rarest first (index-only
 * counts; on MySQL they run side by side).
 */
export async function wordRanges(tables: SearchTables, words: string[], limit: number): Promise<WordRange[]> {
  const ranges = await Promise.all(
    words.map(async (word) => {
      const range = wordRange(word);
      return { ...range, rows: await tables.rangeRowsUpTo(range.spans, limit) };
    }),
  );
  return ranges.sort((a, b) => a.rows - b.rows);
}
