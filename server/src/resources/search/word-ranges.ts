import { prefixRange } from '../../common/prefix-range.js';
import { isTagToken } from '../name-tokens.js';
import type { SearchTables } from './search-tables.js';

/** A query word with its index range and how many token rows start with it (counted up to a cap). */
export interface WordRange {
  word: string;
  from: string;
  to: string;
  rows: number;
  /** A whole tag (`?tag=`), not a word: never found in the name itself. */
  tag: boolean;
}

/**
 * Each word's index range with its row count up to `limit`, rarest first (index-only
 * counts; on MySQL they run side by side).
 */
export async function wordRanges(tables: SearchTables, words: string[], limit: number): Promise<WordRange[]> {
  const ranges = await Promise.all(
    words.map(async (word) => {
      const [from, to] = prefixRange(word);
      const range = { word, from, to, rows: 0, tag: isTagToken(word) };
      return { ...range, rows: await tables.rangeRowsUpTo(range, limit) };
    }),
  );
  return ranges.sort((a, b) => a.rows - b.rows);
}
