import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ResourceNameToken } from '../resource-name-token.entity.js';
import { Resource } from '../resource.entity.js';
import { spansWhere, type Span, type WordRange } from './word-ranges.js';

/** Columns for list pages: everything but the (possibly huge) file list and hashes. */
const SUMMARY_COLUMNS: (keyof Resource)[] = [
  'id',
  'contentId',
  'name',
  'nameLower',
  'description',
  'tags',
  'totalSize',
  'pieceSize',
  'pieceCount',
  'fileCount',
  'publishedBy',
  'seedCount',
  'downloaderCount',
  'createdAt',
  'updatedAt',
];

/**
 * The literal part of a search (punctuation), on the name or the description. LOWER() is
 * ASCII-only on SQLite: a description's non-ASCII capitals match here on MySQL only (the
 * words of the query still match either way, through the word table).
 */
export const LITERAL_MATCH = `(r.nameLower LIKE ? ESCAPE '!' OR LOWER(r.description) LIKE ? ESCAPE '!')`;

/** Ids per `IN (...)` list when probing the word table (well under SQLite's 32,766 parameters). */
const PROBE_CHUNK = 5_000;

/** The reads every plan is made of, on the resources (`r`) and their words (`resource_name_tokens`). */
export class SearchTables {
  constructor(private readonly db: DataSource) {}

  get isMysql(): boolean {
    return this.db.options.type === 'mysql';
  }

  resources(): SelectQueryBuilder<Resource> {
    return this.db.getRepository(Resource).createQueryBuilder('r');
  }

  /** Resources with the summary columns only. */
  summaries(): SelectQueryBuilder<Resource> {
    return this.resources().select(SUMMARY_COLUMNS.map((c) => `r.${c}`));
  }

  tokens(alias: string): SelectQueryBuilder<ResourceNameToken> {
    return this.db.createQueryBuilder(ResourceNameToken, alias);
  }

  /** Keeps the resources whose lower-cased name or description matches the literal pattern. */
  withLiteral<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, literal: string | null): SelectQueryBuilder<T> {
    return literal ? qb.andWhere(LITERAL_MATCH.replace(/\?/g, ':literal'), { literal }) : qb;
  }

  /** The ids (in their order) that have a word in the range's spans, by primary key (resourceId, token). */
  async probe(ids: string[], range: Pick<WordRange, 'spans'>): Promise<string[]> {
    const [inSpans, params] = spansWhere('t', range.spans, 's');
    const matched = new Set<string>();
    for (let i = 0; i < ids.length; i += PROBE_CHUNK) {
      const candidates = ids.slice(i, i + PROBE_CHUNK);
      // No DISTINCT: a name with two words in the range answers twice, the Set keeps one
      // (SQLite's DISTINCT here cost more than the probes themselves).
      const found = await this.tokens('t')
        .select('t.resourceId', 'id')
        .where('t.resourceId IN (:...candidates)', { candidates })
        .andWhere(inSpans, params)
        .getRawMany<{ id: string }>();
      for (const f of found) matched.add(f.id);
    }
    return ids.filter((id) => matched.has(id));
  }

  /** Token rows in the spans, counted up to `limit` (index only). */
  rangeRowsUpTo(spans: readonly Span[], limit: number): Promise<number> {
    const [inSpans, params] = spansWhere('t', spans, 's');
    return this.countUpTo(this.tokens('t').select('t.resourceId').where(inSpans, params), limit);
  }

  /** The ids with a token in the span, or null when there are more than `limit` (index only). */
  async idsUpTo(span: Span, limit: number): Promise<Set<string> | null> {
    const [inSpan, params] = spansWhere('t', [span], 's');
    const rows = await this.tokens('t')
      .select('t.resourceId', 'id')
      .where(inSpan, params)
      .limit(limit + 1)
      .getRawMany<{ id: string }>();
    return rows.length > limit ? null : new Set(rows.map((r) => r.id));
  }

  async countUpTo<T extends ObjectLiteral>(matches: SelectQueryBuilder<T>, limit: number): Promise<number> {
    const [sql, params] = matches.limit(limit).getQueryAndParameters();
    return this.countOf(`SELECT COUNT(*) AS n FROM (${sql}) capped`, params);
  }

  /** COUNT(*) rather than TypeORM's COUNT(DISTINCT id): ids are unique already. */
  async count(qb: SelectQueryBuilder<Resource>): Promise<number> {
    const row = await qb.select('COUNT(*)', 'n').getRawOne<{ n: string | number }>();
    return Number(row?.n ?? 0);
  }

  /** The `n` of a raw statement answering one row `SELECT COUNT(...) AS n`. */
  async countOf(sql: string, params: unknown[]): Promise<number> {
    const rows = (await this.db.query(sql, params)) as { n: string | number }[];
    return Number(rows[0]?.n ?? 0);
  }
}
