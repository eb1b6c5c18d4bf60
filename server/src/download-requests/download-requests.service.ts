import {
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import {
  DOWNLOAD_REQUEST_LIMITS,
  type DownloadAssignment,
  type DownloadReport,
  type DownloadRequest,
  type DownloadRequestCreate,
  type Manifest,
  type MyNode,
  type Page,
} from '@shoal/contract';
import { Brackets, DataSource, In, IsNull, MoreThan, Repository } from 'typeorm';
import type { AuthenticatedNode, AuthenticatedUser } from '../common/principals.js';
import { Node } from '../nodes/node.entity.js';
import { ManifestService } from '../resources/manifest.service.js';
import { Resource } from '../resources/resource.entity.js';
import { isOnline } from '../tracker/providers.service.js';
import { User } from '../users/user.entity.js';
import { DownloadRequestEntity } from './download-request.entity.js';

const OPEN = ['queued', 'running'] as const;
/** How long a cancellation is repeated in heartbeat answers: an agent offline longer just finishes the download. */
const CANCEL_NOTICE_MS = 24 * 3600 * 1000;

/**
 * "Send to my machine": who may ask which node for what, and the heartbeat side that
 * hands requests to the node and records its progress.
 *
 * A node is a user's when they enrolled it (`enrolledBy`: their login for a client they
 * enrolled themselves, their enrollment token otherwise). Members may send only to their
 * own nodes; admins to any node.
 */
@Injectable()
export class DownloadRequestsService {
  constructor(
    @InjectRepository(DownloadRequestEntity) private readonly requests: Repository<DownloadRequestEntity>,
    @InjectRepository(Node) private readonly nodes: Repository<Node>,
    @InjectRepository(Resource) private readonly resources: Repository<Resource>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly manifests: ManifestService,
  ) {}

  /** The nodes a user may pick: their own, not revoked, not the built-in seed. */
  async myNodes(user: AuthenticatedUser): Promise<MyNode[]> {
    const rows = await this.nodes.find({
      where: { enrolledBy: user.id, revokedAt: IsNull(), builtin: false },
      order: { name: 'ASC' },
      take: 500,
    });
    const now = Date.now();
    return rows.map((n) => ({
      id: n.id,
      name: n.name,
      role: n.role,
      online: isOnline(n, now),
      lastHeartbeatAt: n.lastHeartbeatAt?.toISOString() ?? null,
    }));
  }

  async create(dto: DownloadRequestCreate, actor: AuthenticatedUser): Promise<DownloadRequest> {
    const resource = await this.resources.findOne({
      select: { id: true, name: true, totalSize: true },
      where: { id: dto.resourceId },
    });
    if (!resource)
      throw new NotFoundException({ code: 'resource_not_found', message: `no resource ${dto.resourceId}` });
    const node = await this.nodes.findOneBy({ id: dto.nodeId });
    if (!node) {
      throw new NotFoundException({
        code: 'node_not_found',
        message: `no node ${dto.nodeId}`,
        errors: { nodeId: 'unknown node' },
      });
    }
    if (actor.role !== 'admin' && node.enrolledBy !== actor.id) {
      throw new ForbiddenException({
        code: 'node_not_yours',
        message: `node ${node.id} is not yours: you can send only to machines you enrolled`,
        errors: { nodeId: 'not your machine' },
      });
    }
    const why = node.revokedAt ? 'revoked' : node.builtin ? 'the built-in seed takes no requests' : null;
    if (why) {
      throw new UnprocessableEntityException({
        code: 'invalid_target',
        message: `nodeId: ${why}`,
        errors: { nodeId: why },
      });
    }
    const id = randomUUID();
    await this.db.transaction(async (em) => {
      // On MySQL the user's row is locked first so that racing requests of one user are
      // counted one after the other; SQLite has one writer.
      if (this.db.options.type === 'mysql') {
        await em.findOne(User, { where: { id: actor.id }, lock: { mode: 'pessimistic_write' } });
      }
      const open = { requestedBy: actor.id, state: In([...OPEN]) };
      if (await em.existsBy(DownloadRequestEntity, { ...open, resourceId: resource.id, nodeId: node.id })) {
        throw new ConflictException({
          code: 'already_requested',
          message: `${resource.name} is already on its way to ${node.name}`,
        });
      }
      const count = await em.countBy(DownloadRequestEntity, open);
      if (count >= DOWNLOAD_REQUEST_LIMITS.maxOpenPerUser) {
        throw new ConflictException({
          code: 'too_many_requests_open',
          message: `you have ${count} downloads queued or running, the most allowed: wait for one or cancel it`,
        });
      }
      await em.insert(DownloadRequestEntity, {
        id,
        resourceId: resource.id,
        nodeId: node.id,
        requestedBy: actor.id,
        state: 'queued',
        doneBytes: 0,
        totalBytes: resource.totalSize,
        error: null,
        updatedAt: new Date(),
      });
    });
    return this.get(id, actor);
  }

  /** The user's requests and those sent to their machines, newest first. */
  async list(user: AuthenticatedUser, page: number, size: number): Promise<Page<DownloadRequest>> {
    const qb = this.requests
      .createQueryBuilder('r')
      .where(
        new Brackets((w) =>
          w
            .where('r.requestedBy = :me', { me: user.id })
            .orWhere('r.nodeId IN (SELECT n.id FROM nodes n WHERE n.enrolledBy = :me)', { me: user.id }),
        ),
      )
      .orderBy('r.createdAt', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .skip((page - 1) * size)
      .take(size);
    const [rows, total] = await qb.getManyAndCount();
    return { items: await this.toDtos(rows), total, page, size };
  }

  async get(id: string, user: AuthenticatedUser): Promise<DownloadRequest> {
    const [dto] = await this.toDtos([await this.getOrFail(id, user)]);
    return dto;
  }

  /** Cancels a queued or running request; a finished one stays as it is. */
  async cancel(id: string, user: AuthenticatedUser): Promise<DownloadRequest> {
    const request = await this.getOrFail(id, user);
    await this.requests.update({ id: request.id, state: In([...OPEN]) }, { state: 'cancelled', updatedAt: new Date() });
    return this.get(id, user);
  }

  /** Applies a node's progress reports and tells it which requests to run and which to stop. */
  async heartbeat(
    node: AuthenticatedNode,
    reports: DownloadReport[] = [],
  ): Promise<{ downloads: DownloadAssignment[]; downloadsCancelled: string[] }> {
    // An agent has at most a few heartbeats' worth of requests open: more is not one of ours.
    for (const r of reports.slice(0, 5 * DOWNLOAD_REQUEST_LIMITS.maxPerHeartbeat)) {
      const row = await this.requests.findOneBy({ id: r.requestId, nodeId: node.id, state: In([...OPEN]) });
      if (!row) continue;
      await this.requests.update(
        { id: row.id, state: In([...OPEN]) },
        {
          state: r.state,
          doneBytes: r.state === 'done' ? row.totalBytes : Math.max(0, Math.min(row.totalBytes, r.doneBytes)),
          error: r.error?.slice(0, DOWNLOAD_REQUEST_LIMITS.maxErrorLength) ?? null,
          updatedAt: new Date(),
        },
      );
    }
    const max = DOWNLOAD_REQUEST_LIMITS.maxPerHeartbeat;
    const [open, cancelled] = await Promise.all([
      this.requests.find({
        select: { id: true, resourceId: true },
        where: { nodeId: node.id, state: In([...OPEN]) },
        order: { createdAt: 'ASC', id: 'ASC' },
        take: max,
      }),
      this.requests.find({
        select: { id: true },
        where: { nodeId: node.id, state: 'cancelled', updatedAt: MoreThan(new Date(Date.now() - CANCEL_NOTICE_MS)) },
        order: { updatedAt: 'DESC' },
        take: max,
      }),
    ]);
    return {
      downloads: open.map((r) => ({ requestId: r.id, resourceId: r.resourceId })),
      downloadsCancelled: cancelled.map((r) => r.id),
    };
  }

  /** The manifest for one of this node's open requests, with a ticket for the user who asked, bound to the node. */
  async manifestFor(node: AuthenticatedNode, requestId: string): Promise<Manifest> {
    const request = await this.requests.findOneBy({ id: requestId, nodeId: node.id, state: In([...OPEN]) });
    if (!request) {
      throw new NotFoundException({
        code: 'download_request_not_found',
        message: `no open download request ${requestId} for this node`,
      });
    }
    const asker = request.requestedBy ? await this.users.findOneBy({ id: request.requestedBy, disabled: false }) : null;
    if (!asker) {
      throw new ForbiddenException({
        code: 'owner_inactive',
        message: 'the user who asked for this download is disabled or gone',
      });
    }
    return this.manifests.build(
      request.resourceId,
      { id: asker.id, username: asker.username, role: asker.role },
      node.id,
    );
  }

  /** A request the user asked for or that targets one of their nodes (an admin: any); others are 404. */
  private async getOrFail(id: string, user: AuthenticatedUser): Promise<DownloadRequestEntity> {
    const request = await this.requests.findOneBy({ id });
    const visible =
      request &&
      (user.role === 'admin' ||
        request.requestedBy === user.id ||
        (await this.nodes.existsBy({ id: request.nodeId, enrolledBy: user.id })));
    if (!request || !visible) {
      throw new NotFoundException({ code: 'download_request_not_found', message: `no download request ${id}` });
    }
    return request;
  }

  private async toDtos(rows: DownloadRequestEntity[]): Promise<DownloadRequest[]> {
    if (!rows.length) return [];
    const ids = (pick: (r: DownloadRequestEntity) => string | null) => [
      ...new Set(rows.map(pick).filter((x): x is string => !!x)),
    ];
    const [resources, nodes, users] = await Promise.all([
      this.resources.find({ select: { id: true, name: true }, where: { id: In(ids((r) => r.resourceId)) } }),
      this.nodes.find({ select: { id: true, name: true }, where: { id: In(ids((r) => r.nodeId)) } }),
      this.users.find({ select: { id: true, username: true }, where: { id: In(ids((r) => r.requestedBy)) } }),
    ]);
    const name = <T extends { id: string }>(list: T[], id: string | null, f: (x: T) => string, gone: string) => {
      const hit = list.find((x) => x.id === id);
      return hit ? f(hit) : gone;
    };
    return rows.map((r) => ({
      id: r.id,
      resourceId: r.resourceId,
      resourceName: name(resources, r.resourceId, (x) => x.name, '(deleted)'),
      nodeId: r.nodeId,
      nodeName: name(nodes, r.nodeId, (x) => x.name, '(unknown)'),
      requestedBy: r.requestedBy ? name(users, r.requestedBy, (x) => x.username, '(deleted user)') : null,
      state: r.state,
      doneBytes: r.doneBytes,
      totalBytes: r.totalBytes,
      error: r.error,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    }));
  }
}
