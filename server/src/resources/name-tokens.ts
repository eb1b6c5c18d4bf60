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

/**
 * The exact-tag entry of the word table. The marks (U+0001) are not letters or digits, so
 * no query word's range ever reaches one, and the closing mark makes "starts with the
 * entry" mean "is this tag" (a tag cannot hold U+0001).
 */
export function tagToken(tag: string): string {
  return `\u0001${tag.toLocaleLowerCase('en-US')}\u0001`;
}

export function isTagToken(token: string): boolean {
  return token.startsWith('\u0001');
}

/**
 * Marks a word of the description or tags that the name lacks. Kept apart from the name's
 * words (a range of its own) so a search walking the catalog can still check names in
 * memory and look up only the few resources whose other words match.
 */
export const EXTRA_WORD_MARK = '\u0002';

/**
 * Everything a resource is found by, one row each in the word table: the words of its
 * name; the words of its description and tags that the name lacks, marked
 * (`EXTRA_WORD_MARK`); and each tag whole (for `?tag=`). A query word must start one of
 * the first two. Bounded by the limits on those fields (4,000 characters of description).
 */
export function searchTokens(r: { name: string; description: string; tags: readonly string[] }): string[] {
  const own = nameWords(r.name);
  const inName = new Set(own);
  const extra = nameWords([r.description, ...r.tags].join(' ')).filter((w) => !inName.has(w));
  return [...own, ...extra.map((w) => EXTRA_WORD_MARK + w), ...new Set(r.tags.map(tagToken))];
}
