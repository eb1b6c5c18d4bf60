/**
 * "Starts with" as a half-open range [prefix, prefix + U+10FFFF): an index range scan on
 * any B-tree with binary collation, with no LIKE and so no metacharacters to escape.
 */
export function prefixRange(prefix: string): [string, string] {
  return [prefix, prefix + '\u{10FFFF}'];
}
