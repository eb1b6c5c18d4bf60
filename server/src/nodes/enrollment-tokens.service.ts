import { Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  TOKEN_LIFETIMES,
  type EnrollmentTokenResponse,
  type EnrollmentTokenState,
  type EnrollmentTokenSummary,
  type Page,
} from '@shoal/contract';
import { In, Repository, type DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { User } from '../users/user.entity.js';
import type { EnrollmentTokenCreateDto, EnrollmentTokenListQueryDto } from './dto/node.dto.js';
import { EnrollmentToken } from './enrollment-token.entity.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Revoked first, then used up, then expired: the reason an admin needs first. */
function tokenState(t: EnrollmentToken, now = new Date()): EnrollmentTokenState {
  if (t.revokedAt) return 'revoked';
  if (t.uses >= t.maxUses) return 'used-up';
  if (t.expiresAt <= now) return 'expired';
  return 'active';
}

/** The same states as SQL, for the list filter. */
const STATE_WHERE: Record<EnrollmentTokenState, string> = {
  revoked: 't.revokedAt IS NOT NULL',
  'used-up': 't.revokedAt IS NULL AND t.uses >= t.maxUses',
  expired: 't.revokedAt IS NULL AND t.uses < t.maxUses AND t.expiresAt <= :now',
  active: 't.revokedAt IS NULL AND t.uses < t.maxUses AND t.expiresAt > :now',
};

function mapToken(t: EnrollmentToken, createdBy: string | null, now = new Date()): EnrollmentTokenSummary {
  return {
    id: t.id,
    role: t.role,
    site: t.site,
    maxUses: t.maxUses,
    uses: t.uses,
    state: tokenState(t, now),
    expiresAt: t.expiresAt.toISOString(),
    lastUsedAt: t.usedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    createdBy,
    createdAt: t.createdAt.toISOString(),
  };
}

/** What a refusal tells the machine; one-time tokens keep their "already used". */
function refusal(t: EnrollmentToken | null, creatorActive: boolean, now = new Date()): string | null {
  if (!t) return 'unknown';
  const state = tokenState(t, now);
  if (state === 'revoked') return 'revoked';
  if (state === 'used-up') return t.maxUses === 1 ? 'already used' : `used up (all ${t.maxUses} uses)`;
  if (state === 'expired') return 'expired';
  if (!creatorActive) return 'issued by a user who is disabled or gone';
  return null;
}

function tokenRefused(why: string): UnauthorizedException {
  return new UnauthorizedException({
    code: 'enrollment_token_invalid',
    message: `enrollment token ${why}`,
    errors: { token: why },
  });
}

/**
 * Enrollment tokens: made by admins, one-time or reusable up to a cap, revocable. The cap
 * is kept by one conditional UPDATE per use (`uses < maxUses`), so of machines racing for
 * the last use exactly one gets it, on MySQL (the row lock serializes them, and the second
 * re-reads the count) as on SQLite (one writer).
 */
@Injectable()
export class EnrollmentTokensService {
  constructor(
    @InjectRepository(EnrollmentToken) private readonly tokens: Repository<EnrollmentToken>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async create(dto: EnrollmentTokenCreateDto, actor: AuthenticatedUser): Promise<EnrollmentTokenResponse> {
    const token = `shoal-enroll-${randomBytes(24).toString('base64url')}`;
    const ttl = dto.ttlSeconds ?? TOKEN_LIFETIMES.enrollmentTokenDefaultSeconds;
    const row = this.tokens.create({
      tokenHash: hashToken(token),
      id: randomUUID(),
      role: dto.role ?? 'seed',
      site: dto.site ?? null,
      createdBy: actor.id,
      expiresAt: new Date(Date.now() + ttl * 1000),
      maxUses: dto.maxUses ?? 1,
      uses: 0,
      usedAt: null,
      usedByNode: null,
      revokedAt: null,
    });
    await this.tokens.insert(row);
    const saved = await this.tokens.findOneByOrFail({ id: row.id });
    const site = saved.site ? ` --site ${saved.site}` : '';
    const enrollCommand =
      `shoal enroll --server ${this.config.publicUrl} --token ${token} --role ${saved.role}${site} ` +
      `--name "$(hostname)" --listen 0.0.0.0:7070 && shoal serve`;
    return { ...mapToken(saved, actor.username), token, enrollCommand };
  }

  async list(query: EnrollmentTokenListQueryDto): Promise<Page<EnrollmentTokenSummary>> {
    const now = new Date();
    const qb: SelectQueryBuilder<EnrollmentToken> = this.tokens.createQueryBuilder('t');
    if (query.state) qb.where(STATE_WHERE[query.state], { now });
    qb.orderBy('t.createdAt', 'DESC')
      .addOrderBy('t.id', 'ASC')
      .skip((query.page - 1) * query.size)
      .take(query.size);
    const [rows, total] = await qb.getManyAndCount();
    const creators = rows.length
      ? await this.db.getRepository(User).find({
          select: { id: true, username: true },
          where: { id: In([...new Set(rows.map((r) => r.createdBy))]) },
        })
      : [];
    const names = new Map(creators.map((u) => [u.id, u.username]));
    return {
      items: rows.map((r) => mapToken(r, names.get(r.createdBy) ?? null, now)),
      total,
      page: query.page,
      size: query.size,
    };
  }

  /** Stops a token enrolling anyone else; the machines it enrolled keep their nodes. */
  async revoke(id: string): Promise<EnrollmentTokenSummary> {
    await this.tokens
      .createQueryBuilder()
      .update(EnrollmentToken)
      .set({ revokedAt: new Date() })
      .where('id = :id AND revokedAt IS NULL', { id })
      .execute();
    const row = await this.tokens.findOneBy({ id });
    if (!row) throw new NotFoundException({ code: 'enrollment_token_not_found', message: `no enrollment token ${id}` });
    const creator = await this.db.getRepository(User).findOneBy({ id: row.createdBy });
    return mapToken(row, creator?.username ?? null);
  }

  /** The token if it can enroll now (known, uses left, unexpired, unrevoked, its creator active); claims nothing. */
  async usable(token: string): Promise<EnrollmentToken> {
    const row = await this.tokens.findOneBy({ tokenHash: hashToken(token) });
    const creator = row ? await this.db.getRepository(User).findOneBy({ id: row.createdBy, disabled: false }) : null;
    const why = refusal(row, !!creator);
    if (why) throw tokenRefused(why);
    return row!;
  }

  /**
   * Takes one use of the token for the node, inside the enrollment's transaction, and
   * returns which use it was. The condition is re-checked by the UPDATE itself, so a use
   * taken meanwhile by another machine, a revocation or the expiry refuses this one.
   */
  async claim(em: EntityManager, token: EnrollmentToken, nodeId: string): Promise<number> {
    const now = new Date();
    const result = await em
      .createQueryBuilder()
      .update(EnrollmentToken)
      .set({ uses: () => 'uses + 1', usedAt: now, usedByNode: nodeId })
      .where('tokenHash = :hash AND uses < maxUses AND revokedAt IS NULL AND expiresAt > :now', {
        hash: token.tokenHash,
        now,
      })
      .execute();
    const after = await em.findOneBy(EnrollmentToken, { tokenHash: token.tokenHash });
    if (!result.affected) throw tokenRefused(refusal(after, true, now) ?? 'already used');
    return after!.uses;
  }

  /** The audit log's line for a use, written once the enrollment committed. */
  async recordUse(token: EnrollmentToken, nodeId: string, use: number): Promise<void> {
    await this.audit.record('enrollment-token.use', null, {
      nodeId,
      detail: `token:${token.id} use ${use} of ${token.maxUses}`,
    });
  }
}
