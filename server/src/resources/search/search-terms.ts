import { narrowingWords, queryWords } from '../name-tokens.js';

/** What a query asks of a name. */
export interface SearchTerms {
  /** Each must start a word of the name (only the ones that narrow: "ori orion" is "orion"). */
  words: string[];
  /** A LIKE pattern the lower-cased name must match, when the query holds punctuation. */
  literal: string | null;
}

export function searchTerms(q: string | undefined): SearchTerms {
  return { words: narrowingWords(queryWords(q)), literal: literalPattern(q) };
}

/**
 * Words alone ignore punctuation, so a query holding punctuation ("100%", "o'brien",
 * "a_b") must also appear literally in the name. The index narrows by words first;
 * this LIKE (with its own metacharacters escaped, `ESCAPE '!'`) only filters those candidates.
 */
function literalPattern(q: string | undefined): string | null {
  const text = q?.trim().toLocaleLowerCase('en-US');
  if (!text || !/[^\p{L}\p{N}\s]/u.test(text)) return null;
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * "A word of the name starts with `word`", tested on the lower-cased name the way the word
 * table splits it (query words hold only letters and digits: nothing to escape but the
 * regular expression's own metacharacters).
 */
export function wordStartPattern(word: string): RegExp {
  return new RegExp(`(?:^|[^\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'u');
}
