import { BadRequestException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Manifest, PreheatAssignment, PreheatJob, PreheatReport } from '@shoal/contract';
import { DataSource, In, IsNull, Repository } from 'typeorm';
import type { AuthenticatedNode, AuthenticatedUser } from '../common/principals.js';
import { Node } from '../nodes/node.entity.js';
import { ManifestService } from '../resources/manifest.service.js';
import { Resource } from '../resources/resource.entity.js';
import { User } from '../users/user.entity.js';
import type { PreheatCreateDto } from './preheat.dto.js';
import { PreheatJobEntity } from './preheat-job.entity.js';
import { PreheatTaskEntity } from './preheat-task.entity.js';

const ACTIVE = ['queued', 'running'] as const;

@Injectable()
export class PreheatService {
  constructor(
    @InjectRepository(PreheatJobEntity) private readonly jobs: Repository<PreheatJobEntity>,
    @InjectRepository(PreheatTaskEntity) private readonly tasks: Repository<PreheatTaskEntity>,
    @InjectRepository(Node) private readonly nodes: Repository<Node>,
    @InjectRepository(Resource) private readonly resources: Repository<Resource>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly manifests: ManifestService,
  ) {}

  async create(dto: PreheatCreateDto, actor: AuthenticatedUser): Promise<PreheatJob> {
    if (!dto.nodeIds === !dto.site) {
      throw new BadRequestException({
        code: 'validation_failed',
        message: 'give either nodeIds or site',
        errors: { nodeIds: 'give either nodeIds or site' },
      });
    }
    if (!(await this.resources.existsBy({ id: dto.resourceId }))) {
      throw new NotFoundException({ code: 'resource_not_found', message: `no resource ${dto.resourceId}` });
    }
    let targets: Node[];
    if (dto.nodeIds) {
      targets = await this.nodes.findBy({ id: In(dto.nodeIds) });
      for (const [i, id] of dto.nodeIds.entries()) {
        const node = targets.find((n) => n.id === id);
        const why = !node
          ? 'unknown node'
          : node.revokedAt
            ? 'revoked'
            : node.role !== 'seed'
              ? 'not a seed server'
              : null;
        if (why)
          throw new UnprocessableEntityException({
            code: 'invalid_target',
            message: `nodeIds.${i}: ${why}`,
            errors: { [`nodeIds.${i}`]: why },
          });
      }
    } else {
      targets = await this.nodes.findBy({ site: dto.site, role: 'seed', revokedAt: IsNull() });
      if (!targets.length) {
        throw new UnprocessableEntityException({
          code: 'invalid_target',
          message: `site: no seed server in site ${dto.site}`,
          errors: { site: 'no seed server in this site' },
        });
      }
    }
    const job = this.jobs.create({
      id: randomUUID(),
      resourceId: dto.resourceId,
      site: dto.site ?? null,
      createdBy: actor.id,
      cancelledAt: null,
    });
    await this.db.transaction(async (em) => {
      await em.save(job);
      await em.insert(
        PreheatTaskEntity,
        targets.map((n) => ({
          jobId: job.id,
          nodeId: n.id,
          state: 'queued' as const,
          percent: 0,
          error: null,
          updatedAt: new Date(),
        })),
      );
    });
    return this.get(job.id);
  }

  async list(resourceId?: string): Promise<PreheatJob[]> {
    const jobs = await this.jobs.find({
      where: resourceId ? { resourceId } : {},
      order: { createdAt: 'DESC' },
      take: 100,
    });
    return Promise.all(jobs.map((j) => this.toDto(j)));
  }

  async get(id: string): Promise<PreheatJob> {
    return this.toDto(await this.getOrFail(id));
  }

  async cancel(id: string): Promise<PreheatJob> {
    const job = await this.getOrFail(id);
    if (!job.cancelledAt) {
      await this.jobs.update({ id }, { cancelledAt: new Date() });
      await this.tasks.update({ jobId: id, state: In([...ACTIVE]) }, { state: 'cancelled', updatedAt: new Date() });
    }
    return this.get(id);
  }

  /** Applies a node's progress reports and tells it what to run and what to stop. */
  async heartbeat(
    node: AuthenticatedNode,
    reports: PreheatReport[] = [],
  ): Promise<{ preheat: PreheatAssignment[]; preheatCancelled: string[] }> {
    for (const r of reports.slice(0, 1000)) {
      await this.tasks.update(
        { jobId: r.jobId, nodeId: node.id, state: In([...ACTIVE]) },
        {
          state: r.state,
          percent: Math.max(0, Math.min(100, Math.round(r.percent))),
          error: r.error?.slice(0, 500) ?? null,
          updatedAt: new Date(),
        },
      );
    }
    const mine = await this.tasks.find({ where: { nodeId: node.id, state: In([...ACTIVE, 'cancelled']) }, take: 1000 });
    const jobs = mine.length ? await this.jobs.findBy({ id: In(mine.map((t) => t.jobId)) }) : [];
    const resourceOf = new Map(jobs.map((j) => [j.id, j.resourceId]));
    return {
      preheat: mine
        .filter((t) => t.state !== 'cancelled' && resourceOf.has(t.jobId))
        .map((t) => ({ jobId: t.jobId, resourceId: resourceOf.get(t.jobId)! })),
      preheatCancelled: mine.filter((t) => t.state === 'cancelled').map((t) => t.jobId),
    };
  }

  /** The manifest a seed server fetches for its task, with a ticket bound to it. */
  async manifestFor(node: AuthenticatedNode, jobId: string): Promise<Manifest> {
    const task = await this.tasks.findOneBy({ jobId, nodeId: node.id });
    if (!task || task.state === 'cancelled') {
      throw new NotFoundException({
        code: 'preheat_task_not_found',
        message: `no active preheat task ${jobId} for this node`,
      });
    }
    const job = await this.getOrFail(jobId);
    const creator = job.createdBy ? await this.users.findOneBy({ id: job.createdBy }) : null;
    const actor: AuthenticatedUser = creator
      ? { id: creator.id, username: creator.username, role: creator.role }
      : { id: 'preheat', username: 'preheat', role: 'admin' };
    return this.manifests.build(job.resourceId, actor, node.id);
  }

  private async getOrFail(id: string): Promise<PreheatJobEntity> {
    const job = await this.jobs.findOneBy({ id });
    if (!job) throw new NotFoundException({ code: 'preheat_job_not_found', message: `no preheat job ${id}` });
    return job;
  }

  private async toDto(job: PreheatJobEntity): Promise<PreheatJob> {
    const [tasks, resource] = await Promise.all([
      this.tasks.find({ where: { jobId: job.id } }),
      this.resources.findOne({ select: { id: true, name: true }, where: { id: job.resourceId } }),
    ]);
    const nodes = tasks.length ? await this.nodes.findBy({ id: In(tasks.map((t) => t.nodeId)) }) : [];
    return {
      id: job.id,
      resourceId: job.resourceId,
      resourceName: resource?.name ?? '(deleted)',
      site: job.site,
      createdBy: job.createdBy,
      createdAt: job.createdAt.toISOString(),
      cancelled: !!job.cancelledAt,
      tasks: tasks
        .map((t) => {
          const n = nodes.find((x) => x.id === t.nodeId);
          return {
            nodeId: t.nodeId,
            nodeName: n?.name ?? '(unknown)',
            site: n?.site ?? null,
            state: t.state,
            percent: t.percent,
            error: t.error,
            updatedAt: t.updatedAt.toISOString(),
          };
        })
        .sort((a, b) => a.nodeName.localeCompare(b.nodeName)),
    };
  }
}
