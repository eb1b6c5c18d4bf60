import { Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per word of a resource name (lower-cased), for name search.
 *
 * Why this and not LIKE '%q%': a leading-wildcard LIKE scans every row, which does not
 * stay fast at a million resources. FULLTEXT (MySQL) and FTS5 (SQLite) would, but they
 * differ in syntax, tokenizing and escaping per driver. A word table with a B-tree index
 * answers "a word of the name starts with q" as an index range scan
 * (token >= q AND token < q + U+10FFFF) on both drivers with the same SQL, needs no
 * LIKE escaping (so `%`, `_`, `'` and `\` in a query are plain characters), and keeps
 * results identical on SQLite and MySQL.
 */
@Entity('resource_name_tokens')
@Index('IDX_name_tokens_token', ['token', 'resourceId'])
export class ResourceNameToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  resourceId!: string;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  token!: string;
}
