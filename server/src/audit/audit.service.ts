import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { AuditEntry as AuditEntryDto, Page } from '@shoal/contract';
import { Repository } from 'typeorm';
import type { AuthenticatedUser } from '../common/principals.js';
import { AuditEntry } from './audit-entry.entity.js';

export interface AuditSubject {
  resourceId?: string;
  nodeId?: string;
  subjectUserId?: string;
  /** Client address (login events). */
  address?: string;
  /** The account named by an anonymous actor (a login attempt), when there is no actor. */
  username?: string;
  /** Free text, e.g. why (at most 255 characters). */
  detail?: string;
}

@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditEntry) private readonly repo: Repository<AuditEntry>) {}

  async record(action: string, actor: AuthenticatedUser | null, subject: AuditSubject = {}): Promise<void> {
    await this.repo.insert({
      id: randomUUID(),
      action,
      userId: actor?.id ?? null,
      username: (actor?.username ?? subject.username)?.slice(0, 64) ?? null,
      resourceId: subject.resourceId ?? null,
      nodeId: subject.nodeId ?? null,
      address: subject.address?.slice(0, 64) ?? null,
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

  async list(page: number, size: number, resourceId?: string): Promise<Page<AuditEntryDto>> {
    const [rows, total] = await this.repo.findAndCount({
      where: resourceId ? { resourceId } : {},
      order: { at: 'DESC' },
      skip: (page - 1) * size,
      take: size,
    });
    return {
      items: rows.map((r) => ({
        id: r.id,
        action: r.action,
        userId: r.userId,
        username: r.username,
        resourceId: r.resourceId,
        nodeId: r.nodeId,
        address: r.address,
        detail: r.detail,
        at: r.at.toISOString(),
      })),
      total,
      page,
      size,
    };
  }
}
