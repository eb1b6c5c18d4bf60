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
import { nameWords, queryWords } from './name-tokens.js';
import { ResourceNameToken } from './resource-name-token.entity.js';
import { Resource } from './resource.entity.js';

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

const CATALOG_COUNT_TTL_MS = 5_000;
/** Searches count their matches up to this many. */
const SEARCH_COUNT_CAP = 10_000;
/** Resources read per step when walking the sort index, and how many steps at most. */
const WALK_BATCH = 2_000;
const WALK_MAX_BATCHES = 25;

@Injectable()
export class ResourcesService {
  private catalogCount: { at: number; n: number } | null = null;
  /** Above this many names starting with the first word, a search walks the sort index. */
  private readonly walkThreshold: number;

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
    const filtered = (qb: SelectQueryBuilder<Resource>) => {
      queryWords(query.q).forEach((word, i) => {
        const [from, to] = prefixRange(word);
        qb.andWhere(
          `r.id IN (SELECT t${i}.resourceId FROM resource_name_tokens t${i} WHERE t${i}.token >= :from${i} AND t${i}.token < :to${i})`,
          { [`from${i}`]: from, [`to${i}`]: to },
        );
      });
      const literal = literalPattern(query.q);
      if (literal) qb.andWhere(`r.nameLower LIKE :literal ESCAPE '!'`, { literal });
      return qb;
    };
    const sort = query.sort ?? '-created';
    const direction = sort.startsWith('-') ? 'DESC' : 'ASC';
    const sortColumn = SORT_COLUMNS[sort.replace(/^-/, '')];
    const words = queryWords(query.q);
    // A word that starts thousands of names: walking the sort index finds the first pages
    // after a few batches, where sorting every match would read them all.
    const walked =
      words.length && (await this.isBroad(words[0]))
        ? await this.walkSortIndex(words, literalPattern(query.q), sortColumn, direction, query.page, query.size)
        : null;
    // The tie-breaker runs in the same direction, so the sort column's index (which ends
    // in the primary key) serves the whole ORDER BY without a filesort.
    const rows =
      walked ??
      (await filtered(this.repo.createQueryBuilder('r').select(SUMMARY_COLUMNS.map((c) => `r.${c}`)))
        .orderBy(sortColumn, direction)
        .addOrderBy('r.id', direction)
        .offset((query.page - 1) * query.size)
        .limit(query.size)
        .getMany());
    if (!query.q?.trim()) {
      return {
        items: rows.map(mapResourceSummary),
        total: await this.catalogSize(),
        page: query.page,
        size: query.size,
      };
    }
    // Counting every match of a broad search costs as much as the search; stop at the cap.
    const total = await this.countUpTo(this.matchingIds(words, literalPattern(query.q)), SEARCH_COUNT_CAP + 1);
    return {
      items: rows.map(mapResourceSummary),
      total: Math.min(total, SEARCH_COUNT_CAP),
      ...(total > SEARCH_COUNT_CAP ? { totalCapped: true } : {}),
      page: query.page,
      size: query.size,
    };
  }

  /** True when the word starts the names of more than SEARCH_WALK_THRESHOLD resources (an index-only count). */
  private async isBroad(word: string): Promise<boolean> {
    const [from, to] = prefixRange(word);
    const tokens = this.repo.manager
      .createQueryBuilder(ResourceNameToken, 't')
      .select('t.resourceId')
      .where('t.token >= :from AND t.token < :to', { from, to });
    return (await this.countUpTo(tokens, this.walkThreshold + 1)) > this.walkThreshold;
  }

  /**
   * The requested page of matches, found by reading the catalog in the sort order in
   * batches (index-only) and keeping the rows that match. Null when the page lies too deep
   * (the caller then sorts every match instead).
   */
  private async walkSortIndex(
    words: string[],
    literal: string | null,
    sortColumn: string,
    direction: 'ASC' | 'DESC',
    page: number,
    size: number,
  ): Promise<Resource[] | null> {
    const hits: Resource[] = [];
    for (let batch = 0; batch < WALK_MAX_BATCHES; batch++) {
      const ids = (
        await this.repo
          .createQueryBuilder('r')
          .select('r.id')
          .orderBy(sortColumn, direction)
          .addOrderBy('r.id', direction)
          .offset(batch * WALK_BATCH)
          .limit(WALK_BATCH)
          .getMany()
      ).map((r) => r.id);
      // Each word is probed by primary key (resourceId, token) for just this batch.
      let candidates = ids;
      for (const word of words) {
        if (!candidates.length) break;
        const [from, to] = prefixRange(word);
        const found = await this.repo.manager
          .createQueryBuilder(ResourceNameToken, 't')
          .select('DISTINCT t.resourceId', 'id')
          .where('t.resourceId IN (:...candidates)', { candidates })
          .andWhere('t.token >= :from AND t.token < :to', { from, to })
          .getRawMany<{ id: string }>();
        const matched = new Set(found.map((f) => f.id));
        candidates = candidates.filter((id) => matched.has(id));
      }
      if (candidates.length) {
        const qb = this.repo
          .createQueryBuilder('r')
          .select(SUMMARY_COLUMNS.map((c) => `r.${c}`))
          .where('r.id IN (:...candidates)', { candidates });
        if (literal) qb.andWhere(`r.nameLower LIKE :literal ESCAPE '!'`, { literal });
        hits.push(...(await qb.orderBy(sortColumn, direction).addOrderBy('r.id', direction).getMany()));
      }
      if (hits.length >= page * size || ids.length < WALK_BATCH) return hits.slice((page - 1) * size, page * size);
    }
    return null;
  }

  /**
   * The ids matching a search, read from the word table: the first word's index range,
   * each further word probed by primary key (resourceId, token) per candidate, and the
   * name itself only when punctuation must match literally.
   */
  private matchingIds(words: string[], literal: string | null): SelectQueryBuilder<ResourceNameToken> {
    const [from0, to0] = prefixRange(words[0] ?? '');
    const qb = this.repo.manager
      .createQueryBuilder(ResourceNameToken, 't0')
      .select('DISTINCT t0.resourceId', 'resourceId')
      .where('t0.token >= :from0 AND t0.token < :to0', { from0, to0 });
    words.slice(1).forEach((word, n) => {
      const i = n + 1;
      const [from, to] = prefixRange(word);
      qb.andWhere(
        `EXISTS (SELECT 1 FROM resource_name_tokens t${i} WHERE t${i}.resourceId = t0.resourceId AND t${i}.token >= :from${i} AND t${i}.token < :to${i})`,
        { [`from${i}`]: from, [`to${i}`]: to },
      );
    });
    if (literal) {
      qb.innerJoin(Resource, 'r', 'r.id = t0.resourceId').andWhere(`r.nameLower LIKE :literal ESCAPE '!'`, { literal });
    }
    return qb;
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
