import {
  BadRequestException,
  Inject,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import {
  computeContentId,
  isPowerOfTwo,
  metadataInconsistency,
  unsafePathReason,
  type Page,
  type ResourceDetail,
  type ResourceSummary,
} from '@shoal/contract';
import { DataSource, Repository, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import type { AuthenticatedUser } from '../common/principals.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { prefixRange } from '../common/prefix-range.js';
import { NodeHolding } from '../nodes/node-holding.entity.js';
import { isOnline, ProvidersService, toPeerInfo } from '../tracker/providers.service.js';
import { SWARM_STORE, type SwarmStore } from '../tracker/swarm-store.js';
import { TrackerService } from '../tracker/tracker.service.js';
import type { ResourceAdminPublishDto, ResourceAdminUpdateDto, ResourceListQueryDto } from './dto/resource.dto.js';
import { nameWords, narrowingWords, queryWords } from './name-tokens.js';
import { ResourceNameToken } from './resource-name-token.entity.js';
import { Resource } from './resource.entity.js';

interface SortOrder {
  column: string;
  direction: 'ASC' | 'DESC';
}

const SORT_COLUMNS: Record<string, string> = {
  name: 'r.nameLower',
  size: 'r.totalSize',
  seeds: 'r.seedCount',
  downloaders: 'r.downloaderCount',
  created: 'r.createdAt',
  updated: 'r.updatedAt',
};

export function mapResourceSummary(r: Resource): ResourceSummary {
  return {
    id: r.id,
    contentId: r.contentId,
    name: r.name,
    description: r.description,
    tags: r.tags,
    size: r.totalSize,
    fileCount: r.fileCount,
    seedCount: r.seedCount,
    downloaderCount: r.downloaderCount,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

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
 * Words alone ignore punctuation, so a query holding punctuation ("100%", "o'brien",
 * "a_b") must also appear literally in the name. The index narrows by words first;
 * this LIKE (with its own metacharacters escaped) only filters those candidates.
 */
function literalPattern(q: string | undefined): string | null {
  const text = q?.trim().toLocaleLowerCase('en-US');
  if (!text || !/[^\p{L}\p{N}\s]/u.test(text)) return null;
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * Sorts whose index holds `id` and `nameLower` on MySQL: `(nameLower)` (InnoDB entries end
 * in the primary key) and `(createdAt, id, nameLower)`, the default sort's.
 */
const NAME_COVERING_SORTS = new Set(['r.nameLower', 'r.createdAt']);

const CATALOG_COUNT_TTL_MS = 5_000;
/** Searches count their matches up to this many. */
const SEARCH_COUNT_CAP = 10_000;
/** Steps of a walk of the sort index (each reads at most twice the last: 62,000 rows at most in all). */
const WALK_MAX_STEPS = 5;
/** Ids per `IN (...)` list when probing the word table (well under SQLite's 32,766 parameters). */
const PROBE_CHUNK = 5_000;
/** Largest match list sorted by `id IN (...)`; beyond it the database sorts a subquery. */
const SORT_IN_MAX = 20_000;

/** A query word with its index range and how many token rows start with it (counted up to a cap). */
interface WordRange {
  word: string;
  from: string;
  to: string;
  rows: number;
}

/** Tunables of the search strategies; the defaults are the production values, tests shrink them. */
export interface SearchLimits {
  /** Totals stop at this many matches (`totalCapped`). */
  countCap: number;
  /**
   * When every word of a search is broad, at most this many names of its rarest word are
   * checked for the other words to count the total; beyond it the total is a lower bound.
   */
  countBudget: number;
  /** Resources read by the first step of a walk of the sort index. */
  walkBatch: number;
}

export const SEARCH_LIMITS: SearchLimits = { countCap: SEARCH_COUNT_CAP, countBudget: 1_000, walkBatch: 2_000 };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function chunked<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

@Injectable()
export class ResourcesService {
  private catalogCount: { at: number; n: number } | null = null;
  /** Above this many names starting with every word, a search walks the sort index. */
  private readonly walkThreshold: number;
  /** Replaced by tests only. */
  limits: SearchLimits = SEARCH_LIMITS;

  constructor(
    @InjectRepository(Resource) private readonly repo: Repository<Resource>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SWARM_STORE) private readonly swarm: SwarmStore,
    private readonly providers: ProvidersService,
    private readonly tracker: TrackerService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.walkThreshold = config.searchWalkThreshold;
  }

  /**
   * Stores splitting metadata. Returns `created: false` with the existing resource when
   * the same content (same content id) is already published, so publishing is idempotent.
   */
  async publish(
    dto: ResourceAdminPublishDto,
    actor: AuthenticatedUser,
  ): Promise<{ resource: Resource; created: boolean }> {
    for (const [i, f] of dto.files.entries()) {
      const reason = unsafePathReason(f.path);
      if (reason) {
        throw new BadRequestException({
          code: 'validation_failed',
          message: `files.${i}.path: ${reason}`,
          errors: { [`files.${i}.path`]: reason },
        });
      }
    }
    if (!isPowerOfTwo(dto.pieceSize)) {
      throw new BadRequestException({
        code: 'validation_failed',
        message: 'pieceSize: must be a power of two',
        errors: { pieceSize: 'must be a power of two' },
      });
    }
    const problem = metadataInconsistency(dto);
    if (problem) {
      throw new UnprocessableEntityException({
        code: 'metadata_inconsistent',
        message: `${problem.field}: ${problem.message}`,
        errors: { [problem.field]: problem.message },
      });
    }
    const contentId = computeContentId(dto);
    const existing = await this.repo.findOneBy({ contentId });
    if (existing) return { resource: existing, created: false };

    const resource = this.repo.create({
      id: randomUUID(),
      contentId,
      name: dto.name.trim(),
      nameLower: dto.name.trim().toLocaleLowerCase('en-US'),
      description: dto.description ?? '',
      tags: dto.tags ?? [],
      totalSize: dto.totalSize,
      pieceSize: dto.pieceSize,
      pieceCount: dto.pieceHashes.length,
      fileCount: dto.files.length,
      files: dto.files.map((f) => ({ path: f.path, size: f.size })),
      pieceHashes: dto.pieceHashes.join(''),
      publishedBy: actor.id,
      seedCount: 0,
      downloaderCount: 0,
    });
    await this.db.transaction(async (em) => {
      await em.save(resource);
      await this.writeTokens(em.getRepository(ResourceNameToken), resource);
    });
    this.catalogCount = null;
    return { resource, created: true };
  }

  async list(query: ResourceListQueryDto): Promise<Page<ResourceSummary>> {
    const sort = query.sort ?? '-created';
    const order: SortOrder = {
      column: SORT_COLUMNS[sort.replace(/^-/, '')],
      direction: sort.startsWith('-') ? 'DESC' : 'ASC',
    };
    const words = narrowingWords(queryWords(query.q));
    const literal = literalPattern(query.q);
    if (!words.length) {
      // The whole catalog, or a query of punctuation only (the literal filter alone).
      const qb = this.repo.createQueryBuilder('r').select(SUMMARY_COLUMNS.map((c) => `r.${c}`));
      if (literal) qb.where(`r.nameLower LIKE :literal ESCAPE '!'`, { literal });
      const rows = await this.sorted(qb, order)
        .offset((query.page - 1) * query.size)
        .limit(query.size)
        .getMany();
      const total = literal
        ? await this.count(this.repo.createQueryBuilder('r').where(`r.nameLower LIKE :literal ESCAPE '!'`, { literal }))
        : await this.catalogSize();
      return { items: rows.map(mapResourceSummary), total, page: query.page, size: query.size };
    }
    const found = await this.search(await this.wordRanges(words), literal, order, query.page, query.size);
    const cap = this.limits.countCap;
    return {
      items: found.rows.map(mapResourceSummary),
      total: Math.min(found.total, cap),
      ...(found.total > cap || found.lowerBound ? { totalCapped: true } : {}),
      page: query.page,
      size: query.size,
    };
  }

  /**
   * The page and total of a search, by one of two plans:
   * - range first: when the rarest word starts few names (<= the walk threshold), read its
   *   index range, keep the ids whose names also have the other words (probed by the word
   *   table's primary key), and sort just those;
   * - walk: when every word is broad, read the catalog in the sort order (index only) and
   *   keep matching ids until the page is full; the total is counted from the rarest word's
   *   range, capped. A walk that finds too few matches falls back to range first.
   */
  private async search(
    ranges: WordRange[],
    literal: string | null,
    order: SortOrder,
    page: number,
    size: number,
  ): Promise<{ rows: Resource[]; total: number; lowerBound?: boolean }> {
    if (ranges[0].rows <= this.walkThreshold) return this.rangeFirst(ranges, literal, order, page, size);
    // The count does not depend on the walk: on MySQL the database counts while the server
    // reads the walk's rows (it is wasted when the walk reaches the end or falls back).
    const counting = this.countMatches(ranges, literal);
    counting.catch(() => undefined); // awaited below unless the walk fails first
    const walked = await this.walkSortIndex(ranges, literal, order, page, size);
    if (!walked) return this.rangeFirst(ranges, literal, order, page, size);
    const { rows, matchesInCatalog } = walked;
    if (matchesInCatalog !== undefined) return { rows, total: matchesInCatalog };
    const counted = await counting;
    // A lower bound is at least what this page shows.
    return counted.lowerBound
      ? { rows, total: Math.max(counted.total, (page - 1) * size + rows.length), lowerBound: true }
      : { rows, ...counted };
  }

  /**
   * Each word's index range with its row count up to just past what the plans compare it
   * with, rarest first (index-only counts; on MySQL they run side by side).
   */
  private async wordRanges(words: string[]): Promise<WordRange[]> {
    const limit = this.rangeCountLimit();
    const ranges = await Promise.all(
      words.map(async (word) => {
        const [from, to] = prefixRange(word);
        const range = { word, from, to, rows: 0 };
        return { ...range, rows: await this.rangeRowsUpTo(range, limit) };
      }),
    );
    return ranges.sort((a, b) => a.rows - b.rows);
  }

  /** Matches found from the rarest word's range; exact total. */
  private async rangeFirst(
    ranges: WordRange[],
    literal: string | null,
    order: SortOrder,
    page: number,
    size: number,
  ): Promise<{ rows: Resource[]; total: number; lowerBound?: boolean }> {
    const [first, ...others] = ranges;
    const ids = [
      ...new Set(
        (
          await this.tokens('t')
            .select('t.resourceId', 'id')
            .where('t.token >= :from AND t.token < :to', { from: first.from, to: first.to })
            .getRawMany<{ id: string }>()
        ).map((r) => r.id),
      ),
    ];
    let matches = ids;
    for (const range of others) matches = await this.probe(matches, range);
    if (matches.length > SORT_IN_MAX) {
      // Too many to list: the database sorts them from subqueries (a deep page of a broad search).
      const qb = this.repo.createQueryBuilder('r').select(SUMMARY_COLUMNS.map((c) => `r.${c}`));
      ranges.forEach((range, i) =>
        qb.andWhere(
          `r.id IN (SELECT t${i}.resourceId FROM resource_name_tokens t${i} WHERE t${i}.token >= :from${i} AND t${i}.token < :to${i})`,
          { [`from${i}`]: range.from, [`to${i}`]: range.to },
        ),
      );
      if (literal) qb.andWhere(`r.nameLower LIKE :literal ESCAPE '!'`, { literal });
      const rows = await this.sorted(qb, order)
        .offset((page - 1) * size)
        .limit(size)
        .getMany();
      return { rows, ...(literal ? await this.countMatches(ranges, literal) : { total: matches.length }) };
    }
    if (!matches.length) return { rows: [], total: 0 };
    const byIds = () => {
      const qb = this.repo.createQueryBuilder('r').where('r.id IN (:...matches)', { matches });
      if (literal) qb.andWhere(`r.nameLower LIKE :literal ESCAPE '!'`, { literal });
      return qb;
    };
    const rows = await this.sorted(byIds().select(SUMMARY_COLUMNS.map((c) => `r.${c}`)), order)
      .offset((page - 1) * size)
      .limit(size)
      .getMany();
    return { rows, total: literal ? await this.count(byIds()) : matches.length };
  }

  /** The ids (in their order) whose names have a word in the range, by primary key (resourceId, token). */
  private async probe(ids: string[], range: WordRange): Promise<string[]> {
    const matched = new Set<string>();
    for (const candidates of chunked(ids, PROBE_CHUNK)) {
      // No DISTINCT: a name with two words in the range answers twice, the Set keeps one
      // (SQLite's DISTINCT here cost more than the probes themselves).
      const found = await this.tokens('t')
        .select('t.resourceId', 'id')
        .where('t.resourceId IN (:...candidates)', { candidates })
        .andWhere('t.token >= :from AND t.token < :to', { from: range.from, to: range.to })
        .getRawMany<{ id: string }>();
      for (const f of found) matched.add(f.id);
    }
    return ids.filter((id) => matched.has(id));
  }

  /**
   * The total of a search whose every word is broad. One word: its distinct names, capped.
   * Several: the first `countBudget` names of the rarest word, probed for the others; when
   * that range is longer and fewer than the cap matched, the count is a lower bound.
   */
  private async countMatches(
    ranges: WordRange[],
    literal: string | null,
  ): Promise<{ total: number; lowerBound?: boolean }> {
    const cap = this.limits.countCap;
    const [first, ...others] = ranges;
    if (!others.length && !literal) {
      const distinct = this.tokens('t')
        .select('DISTINCT t.resourceId', 'id')
        .where('t.token >= :from AND t.token < :to', { from: first.from, to: first.to });
      return { total: await this.countUpTo(distinct, cap + 1) };
    }
    const budget = this.limits.countBudget;
    // One statement: the first `budget` rows of the rarest word's range (index only), each
    // kept when the other words (and the literal) match, probed inside the database by the
    // word table's primary key. Sending the ids back and forth as IN lists cost more than
    // the probes on SQLite, and ~25 % more on MySQL.
    const params: unknown[] = [first.from, first.to];
    const conditions = others.map((range) => {
      params.push(range.from, range.to);
      return 'EXISTS (SELECT 1 FROM resource_name_tokens o WHERE o.resourceId = h.resourceId AND o.token >= ? AND o.token < ?)';
    });
    if (literal) {
      params.push(literal);
      conditions.push(`EXISTS (SELECT 1 FROM resources r WHERE r.id = h.resourceId AND r.nameLower LIKE ? ESCAPE '!')`);
    }
    const rows = (await this.repo.query(
      `SELECT COUNT(DISTINCT h.resourceId) AS n FROM (SELECT t.resourceId FROM resource_name_tokens t` +
        ` WHERE t.token >= ? AND t.token < ? ORDER BY t.token, t.resourceId LIMIT ${budget}) h` +
        (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''),
      params,
    )) as { n: string | number }[];
    const total = Number(rows[0]?.n ?? 0);
    if (total > cap) return { total };
    // The range was counted up to a limit above the budget (wordRanges); only a budget at
    // or above that limit needs a count of its own.
    const counted = first.rows < this.rangeCountLimit() ? first.rows : await this.rangeRowsUpTo(first, budget + 1);
    return counted <= budget ? { total } : { total, lowerBound: true };
  }

  /** How far `wordRanges` counts each range. */
  private rangeCountLimit(): number {
    return Math.max(this.walkThreshold, this.limits.countCap) + 1;
  }

  private rangeRowsUpTo(range: WordRange, limit: number): Promise<number> {
    const tokens = this.tokens('t')
      .select('t.resourceId')
      .where('t.token >= :from AND t.token < :to', { from: range.from, to: range.to });
    return this.countUpTo(tokens, limit);
  }

  /**
   * The requested page of matches, found by reading the catalog in the sort order in steps
   * that double and keeping the resources whose names have every word (`walkStep`). Null
   * when the page lies too deep or matches are too sparse (the caller then starts from the
   * rarest word's range instead); with the number of matches when it read the whole catalog.
   */
  private async walkSortIndex(
    ranges: WordRange[],
    literal: string | null,
    order: SortOrder,
    page: number,
    size: number,
  ): Promise<{ rows: Resource[]; matchesInCatalog?: number } | null> {
    // "a word of the name starts with w" on the lower-cased name, as the word table has it
    // (query words hold only letters and digits, so they need no escaping but \p{} classes)
    const starts = ranges.map((r) => new RegExp(`(?:^|[^\\p{L}\\p{N}])${escapeRegExp(r.word)}`, 'u'));
    // Matching ids in the sort order (each step's matches come in its order, steps follow
    // each other): only the requested page's rows are read in full, once, at the end.
    const hits: string[] = [];
    let offset = 0;
    const maxRead = this.limits.walkBatch * (2 ** WALK_MAX_STEPS - 1);
    let batchSize = this.limits.walkBatch;
    const pageRows = async () => {
      const ids = hits.slice((page - 1) * size, page * size);
      if (!ids.length) return [];
      const qb = this.repo
        .createQueryBuilder('r')
        .select(SUMMARY_COLUMNS.map((c) => `r.${c}`))
        .where('r.id IN (:...ids)', { ids });
      return this.sorted(qb, order).getMany();
    };
    while (batchSize > 0) {
      const { read, matches } = await this.walkStep(ranges, starts, order, offset, batchSize);
      offset += read;
      if (literal && matches.length) {
        const kept = new Set(
          (
            await this.repo
              .createQueryBuilder('r')
              .select('r.id', 'id')
              .where('r.id IN (:...matches)', { matches })
              .andWhere(`r.nameLower LIKE :literal ESCAPE '!'`, { literal })
              .getRawMany<{ id: string }>()
          ).map((r) => r.id),
        );
        hits.push(...matches.filter((id) => kept.has(id)));
      } else {
        hits.push(...matches);
      }
      // At the end of the catalog every match has been seen: the total is known.
      if (read < batchSize) return { rows: await pageRows(), matchesInCatalog: hits.length };
      if (hits.length >= page * size) return { rows: await pageRows() };
      // The next step doubles the last, or reads just past where the matches seen so far
      // say the page fills (x1.5), when that is less: the tail of a page of a rare pair.
      const needed = hits.length ? Math.ceil(((page * size - hits.length) * offset * 1.5) / hits.length) : Infinity;
      batchSize = Math.min(2 * batchSize, maxRead - offset, Math.max(needed, Math.ceil(this.limits.walkBatch / 8)));
    }
    return null;
  }

  /**
   * The resources at `offset`..`offset + limit` of the sort order whose names have every
   * word, and how many positions were read. SQLite reads the lower-cased names along the
   * sort index and checks the words here (rows sit in publish order, so this reads mostly
   * neighbouring pages; the default sort's index holds the names itself). So does MySQL
   * for the sorts whose index holds the names (`NAME_COVERING_SORTS`), index only. For the
   * other sorts MySQL reads the positions from the sort index alone (it ends in the
   * primary key) and probes the word table by its primary key, rarest word first:
   * fetching names there would be a random primary-key read of each wide resources row,
   * ~60 µs each once the table outgrows the buffer pool (250 ms per 4,000 at 1,000,000
   * rows with the default 128 MB).
   */
  private async walkStep(
    ranges: WordRange[],
    starts: RegExp[],
    order: SortOrder,
    offset: number,
    limit: number,
  ): Promise<{ read: number; matches: string[] }> {
    const positions = this.sorted(this.repo.createQueryBuilder('r'), order).offset(offset).limit(limit);
    if (this.db.options.type !== 'mysql' || NAME_COVERING_SORTS.has(order.column)) {
      // raw rows: building entities cost more than the read for tens of thousands of positions
      const batch = await positions
        .select('r.id', 'id')
        .addSelect('r.nameLower', 'nameLower')
        .getRawMany<{ id: string; nameLower: string }>();
      return {
        read: batch.length,
        matches: batch.filter((r) => starts.every((re) => re.test(r.nameLower))).map((r) => r.id),
      };
    }
    const ids = (await positions.select('r.id', 'id').getRawMany<{ id: string }>()).map((r) => r.id);
    let matches = ids;
    for (const range of ranges) {
      if (!matches.length) break;
      matches = await this.probe(matches, range);
    }
    return { read: ids.length, matches };
  }

  /**
   * The sort with its tie-breaker in the same direction, so the sort column's index (which
   * ends in the primary key) serves the whole ORDER BY without a filesort.
   */
  private sorted<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, order: SortOrder): SelectQueryBuilder<T> {
    return qb.orderBy(order.column, order.direction).addOrderBy('r.id', order.direction);
  }

  private tokens(alias: string): SelectQueryBuilder<ResourceNameToken> {
    return this.repo.manager.createQueryBuilder(ResourceNameToken, alias);
  }

  private async countUpTo<T extends ObjectLiteral>(matches: SelectQueryBuilder<T>, limit: number): Promise<number> {
    const [sql, params] = matches.limit(limit).getQueryAndParameters();
    const rows = (await this.repo.query(`SELECT COUNT(*) AS n FROM (${sql}) capped`, params)) as {
      n: string | number;
    }[];
    return Number(rows[0]?.n ?? 0);
  }

  /** COUNT(*) rather than TypeORM's COUNT(DISTINCT id): ids are unique already. */
  private async count(qb: SelectQueryBuilder<Resource>): Promise<number> {
    const row = await qb.select('COUNT(*)', 'n').getRawOne<{ n: string | number }>();
    return Number(row?.n ?? 0);
  }

  /**
   * The size of the whole catalog, for the unfiltered browse table: counting a million
   * InnoDB rows takes ~100 ms, so it is reused for a few seconds (and refreshed on publish
   * and delete by this instance).
   */
  private async catalogSize(): Promise<number> {
    if (this.catalogCount && Date.now() - this.catalogCount.at < CATALOG_COUNT_TTL_MS) return this.catalogCount.n;
    const n = await this.count(this.repo.createQueryBuilder('r'));
    this.catalogCount = { at: Date.now(), n };
    return n;
  }

  async getOrFail(id: string): Promise<Resource> {
    const resource = await this.repo.findOneBy({ id });
    if (!resource) throw new NotFoundException({ code: 'resource_not_found', message: `no resource ${id}` });
    return resource;
  }

  async detail(id: string): Promise<ResourceDetail> {
    const r = await this.getOrFail(id);
    const now = Date.now();
    const [holders, members] = await Promise.all([this.providers.allHolders(id), this.swarm.members(id, 500)]);
    return {
      ...mapResourceSummary(r),
      pieceSize: r.pieceSize,
      pieceCount: r.pieceCount,
      files: r.files,
      publishedBy: r.publishedBy,
      providers: holders
        .filter((h) => h.complete)
        .map(({ node }) => ({
          ...toPeerInfo(node, true),
          online: isOnline(node, now),
          lastHeartbeatAt: node.lastHeartbeatAt?.toISOString() ?? null,
        })),
      downloaders: members
        .filter((m) => m.left > 0)
        .map((m) => ({
          nodeId: m.nodeId,
          name: m.name,
          role: m.role,
          site: m.site,
          addresses: m.addresses,
          complete: false,
        })),
    };
  }

  pieceHashes(r: Resource): string[] {
    return r.pieceHashes.match(/.{64}/g) ?? [];
  }

  async update(id: string, dto: ResourceAdminUpdateDto): Promise<Resource> {
    const resource = await this.getOrFail(id);
    if (dto.name !== undefined) {
      resource.name = dto.name.trim();
      resource.nameLower = resource.name.toLocaleLowerCase('en-US');
    }
    if (dto.description !== undefined) resource.description = dto.description;
    if (dto.tags !== undefined) resource.tags = dto.tags;
    await this.db.transaction(async (em) => {
      await em.save(resource);
      if (dto.name !== undefined) {
        await em.delete(ResourceNameToken, { resourceId: id });
        await this.writeTokens(em.getRepository(ResourceNameToken), resource);
      }
    });
    return resource;
  }

  async remove(id: string): Promise<void> {
    await this.getOrFail(id);
    await this.db.transaction(async (em) => {
      await em.delete(ResourceNameToken, { resourceId: id });
      await em.delete(NodeHolding, { resourceId: id });
      await em.delete(Resource, { id });
    });
    this.catalogCount = null;
    this.tracker.forgetResource(id);
    this.providers.invalidate(id);
  }

  private async writeTokens(repo: Repository<ResourceNameToken>, resource: Resource): Promise<void> {
    const rows = nameWords(resource.name).map((token) => ({ resourceId: resource.id, token }));
    if (rows.length) await repo.insert(rows);
  }
}
