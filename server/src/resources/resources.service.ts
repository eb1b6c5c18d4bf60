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
import { DataSource, Repository } from 'typeorm';
import type { AuthenticatedUser } from '../common/principals.js';
import { NodeHolding } from '../nodes/node-holding.entity.js';
import { ProvidersService } from '../tracker/providers.service.js';
import { SWARM_STORE, type SwarmStore } from '../tracker/swarm-store.js';
import { TrackerService } from '../tracker/tracker.service.js';
import type { ResourceAdminPublishDto, ResourceAdminUpdateDto, ResourceListQueryDto } from './dto/resource.dto.js';
import { mapResourceDetail, mapResourceSummary } from './dto/resource.mapper.js';
import { searchTokens } from './name-tokens.js';
import { ResourceNameToken } from './resource-name-token.entity.js';
import { Resource } from './resource.entity.js';
import { SearchService } from './search/search.service.js';

/** Word rows per INSERT (two parameters each, well under SQLite's limit). */
const TOKEN_INSERT_CHUNK = 500;

@Injectable()
export class ResourcesService {
  constructor(
    @InjectRepository(Resource) private readonly repo: Repository<Resource>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SWARM_STORE) private readonly swarm: SwarmStore,
    private readonly providers: ProvidersService,
    private readonly tracker: TrackerService,
    private readonly searches: SearchService,
  ) {}

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
    this.searches.catalogChanged();
    return { resource, created: true };
  }

  async list(query: ResourceListQueryDto): Promise<Page<ResourceSummary>> {
    const found = await this.searches.search({
      q: query.q,
      tag: query.tag,
      sort: query.sort ?? '-created',
      page: query.page,
      size: query.size,
    });
    return {
      items: found.rows.map(mapResourceSummary),
      total: found.total,
      ...(found.totalCapped ? { totalCapped: true } : {}),
      page: query.page,
      size: query.size,
    };
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
    return mapResourceDetail(r, holders, members, now);
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
      if (dto.name !== undefined || dto.description !== undefined || dto.tags !== undefined) {
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
    this.searches.catalogChanged();
    this.tracker.forgetResource(id);
    this.providers.invalidate(id);
  }

  private async writeTokens(repo: Repository<ResourceNameToken>, resource: Resource): Promise<void> {
    const rows = searchTokens(resource).map((token) => ({ resourceId: resource.id, token }));
    // In slices: a 4,000-character description can have a thousand words.
    for (let i = 0; i < rows.length; i += TOKEN_INSERT_CHUNK) await repo.insert(rows.slice(i, i + TOKEN_INSERT_CHUNK));
  }
}
