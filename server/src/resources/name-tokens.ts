/** Longest query word used; longer words could only match a token of that length anyway. */
const MAX_WORDS = 8;

/**
 * Words of a name for search: lower-cased (Unicode-aware), split on anything that is not
 * a letter or digit. "Ubuntu-22.04_server.iso" -> ubuntu, 22, 04, server, iso.
 */
export function nameWords(text: string): string[] {
  return [
    ...new Set(
      text
        .toLocaleLowerCase('en-US')
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean),
    ),
  ].map((w) => w.slice(0, 200));
}

/** The words of a search query; each must be the start of some word of a matching name. */
export function queryWords(q: string | undefined): string[] {
  return q ? nameWords(q).slice(0, MAX_WORDS) : [];
}

/**
 * The query words that narrow a search: a word that starts another query word adds nothing
 * (a name word starting with "orion" also starts with "ori"), so "ori orion" searches
 * "orion" only. Same matches, one index range less to read.
 */
export function narrowingWords(words: string[]): string[] {
  return words.filter((w, i) => !words.some((other, j) => j !== i && other !== w && other.startsWith(w)));
}
