import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { AuditAction, AuditEntry as AuditEntryDto, AuditFilter, Page } from '@shoal/contract';
import { Brackets, In, LessThan, Repository, type SelectQueryBuilder } from 'typeorm';
import type { AuthenticatedUser } from '../common/principals.js';
import { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { User } from '../users/user.entity.js';
import { AuditEntry } from './audit-entry.entity.js';

export interface AuditSubject {
  resourceId?: string;
  nodeId?: string;
  subjectUserId?: string;
  /** Client address; by default the actor's (from their request). */
  address?: string;
  /** The account named by an anonymous actor (a login attempt), when there is no actor. */
  username?: string;
  /** Free text, e.g. why (at most 255 characters). */
  detail?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `detail` starts with `user:<id>` when the action was about a user (see `record`). */
const SUBJECT_USER = /^user:([0-9a-f-]{36})\b/;
/** Names a name filter may stand for, per kind: an exact name is rarely shared by more. */
const MAX_NAMED_TARGETS = 100;
/** Entries deleted per statement by the retention sweep, so no statement holds locks for long. */
const PRUNE_BATCH = 5_000;

/** Who did what, to which resource, node or user, when and from where; filtered, named and exported for auditors. */
@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEntry) private readonly repo: Repository<AuditEntry>,
    @InjectRepository(Resource) private readonly resources: Repository<Resource>,
    @InjectRepository(Node) private readonly nodes: Repository<Node>,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  async record(action: AuditAction, actor: AuthenticatedUser | null, subject: AuditSubject = {}): Promise<void> {
    await this.repo.insert({
      id: randomUUID(),
      // Set here rather than by the column default: SQLite's default has whole seconds, and
      // the export's cut-off compares instants to the millisecond.
      at: new Date(),
      action,
      userId: actor?.id ?? null,
      username: (actor?.username ?? subject.username)?.slice(0, 64) ?? null,
      resourceId: subject.resourceId ?? null,
      nodeId: subject.nodeId ?? null,
      address: (subject.address ?? actor?.address)?.slice(0, 64) ?? null,
      detail:
        [
          subject.subjectUserId ? `user:${subject.subjectUserId}` : null,
          // What an API token did says which token did it (first, so a long detail cannot cut it off).
          actor?.apiToken ? `via token:${actor.apiToken.id}` : null,
          subject.detail,
        ]
          .filter(Boolean)
          .join(' ')
          .slice(0, 255) || null,
    });
  }

  async list(filter: AuditFilter, page: number, size: number): Promise<Page<AuditEntryDto>> {
    const qb = await this.filtered(filter);
    const [rows, total] = await qb
      .orderBy('e.at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .skip((page - 1) * size)
      .take(size)
      .getManyAndCount();
    return { items: await this.named(rows), total, page, size };
  }

  /**
   * Every matching entry, newest first, a batch at a time, at most `limit` in all. Entries
   * written while it runs are left out (it reads up to the moment it started), so paging
   * through by offset neither repeats nor skips one.
   */
  async *export(filter: AuditFilter, limit: number, batch = 1_000): AsyncGenerator<AuditEntryDto[]> {
    const until = new Date();
    for (let sent = 0; sent < limit;) {
      const rows = await (
        await this.filtered(filter)
      )
        .andWhere('e.at <= :until', { until })
        .orderBy('e.at', 'DESC')
        .addOrderBy('e.id', 'DESC')
        .skip(sent)
        .take(Math.min(batch, limit - sent))
        .getMany();
      if (!rows.length) return;
      yield await this.named(rows);
      sent += rows.length;
    }
  }

  /** Deletes entries older than `days`, a batch per statement; how many went. */
  async prune(days: number, now = Date.now(), batch = PRUNE_BATCH): Promise<number> {
    const cutoff = new Date(now - days * 24 * 3600 * 1000);
    let deleted = 0;
    for (;;) {
      const ids = (await this.repo.find({ select: { id: true }, where: { at: LessThan(cutoff) }, take: batch })).map(
        (r) => r.id,
      );
      if (!ids.length) return deleted;
      await this.repo.delete({ id: In(ids) });
      deleted += ids.length;
    }
  }

  private async filtered(filter: AuditFilter): Promise<SelectQueryBuilder<AuditEntry>> {
    const qb = this.repo.createQueryBuilder('e');
    if (filter.actor) qb.andWhere('e.username = :actor', { actor: filter.actor });
    if (filter.action) qb.andWhere('e.action = :action', { action: filter.action });
    if (filter.from) qb.andWhere('e.at >= :from', { from: new Date(filter.from) });
    if (filter.to) qb.andWhere('e.at < :to', { to: new Date(filter.to) });
    const target = filter.target?.trim();
    if (target) {
      const { resourceIds, nodeIds, userIds } = await this.targets(target);
      qb.andWhere(
        new Brackets((w) => {
          w.where('1 = 0');
          if (resourceIds.length) w.orWhere('e.resourceId IN (:...resourceIds)', { resourceIds });
          if (nodeIds.length) w.orWhere('e.nodeId IN (:...nodeIds)', { nodeIds });
          userIds.forEach((id, i) => w.orWhere(`e.detail LIKE :subject${i}`, { [`subject${i}`]: `user:${id}%` }));
        }),
      );
    }
    return qb;
  }

  /** What a target filter stands for: an id as it is, or the resources, nodes and users with that exact name. */
  private async targets(target: string): Promise<{ resourceIds: string[]; nodeIds: string[]; userIds: string[] }> {
    if (UUID.test(target)) {
      const id = target.toLowerCase();
      return { resourceIds: [id], nodeIds: [id], userIds: [id] };
    }
    const [resources, nodes, users] = await Promise.all([
      this.resources.find({
        select: { id: true },
        where: { nameLower: target.toLocaleLowerCase('en-US') },
        take: MAX_NAMED_TARGETS,
      }),
      this.nodes.find({ select: { id: true }, where: { name: target }, take: MAX_NAMED_TARGETS }),
      this.users.find({ select: { id: true }, where: { username: target }, take: MAX_NAMED_TARGETS }),
    ]);
    return {
      resourceIds: resources.map((r) => r.id),
      nodeIds: nodes.map((n) => n.id),
      userIds: users.map((u) => u.id),
    };
  }

  /** The entries with the names of what they are about, looked up in one query per kind. */
  private async named(rows: AuditEntry[]): Promise<AuditEntryDto[]> {
    const subjectOf = (r: AuditEntry) => (r.detail ? (SUBJECT_USER.exec(r.detail)?.[1] ?? null) : null);
    const ids = (pick: (r: AuditEntry) => string | null) => [
      ...new Set(rows.map(pick).filter((id): id is string => !!id)),
    ];
    const [resourceIds, nodeIds, userIds] = [ids((r) => r.resourceId), ids((r) => r.nodeId), ids(subjectOf)];
    const [resources, nodes, users] = await Promise.all([
      resourceIds.length
        ? this.resources.find({ select: { id: true, name: true }, where: { id: In(resourceIds) } })
        : [],
      nodeIds.length ? this.nodes.find({ select: { id: true, name: true }, where: { id: In(nodeIds) } }) : [],
      userIds.length ? this.users.find({ select: { id: true, username: true }, where: { id: In(userIds) } }) : [],
    ]);
    const resourceName = new Map(resources.map((r) => [r.id, r.name]));
    const nodeName = new Map(nodes.map((n) => [n.id, n.name]));
    const username = new Map(users.map((u) => [u.id, u.username]));
    return rows.map((r) => {
      const subjectUserId = subjectOf(r);
      return {
        id: r.id,
        action: r.action,
        userId: r.userId,
        username: r.username,
        resourceId: r.resourceId,
        resourceName: (r.resourceId && resourceName.get(r.resourceId)) ?? null,
        nodeId: r.nodeId,
        nodeName: (r.nodeId && nodeName.get(r.nodeId)) ?? null,
        subjectUserId,
        subjectUsername: (subjectUserId && username.get(subjectUserId)) ?? null,
        address: r.address,
        // The subject is its own field now; the rest of the detail stays.
        detail: (subjectUserId ? r.detail!.replace(SUBJECT_USER, '').trim() : r.detail) || null,
        at: r.at.toISOString(),
      };
    });
  }
}
