import {
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  API_TOKEN_LIMITS,
  API_TOKEN_PATTERN,
  API_TOKEN_PREFIX,
  API_TOKEN_SCOPES,
  API_TOKEN_SCOPES_BY_ROLE,
  type ApiTokenCreated,
  type ApiTokenScope,
  type ApiTokenSummary,
  type UserRole,
} from '@shoal/contract';
import { Repository, type DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { ApiToken } from './api-token.entity.js';
import type { ApiTokenCreateDto } from './dto/api-token.dto.js';

/** lastUsedAt is written when it is older than this, so a busy token costs one write a minute, not one per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;
const DAY_MS = 24 * 3600 * 1000;

const sha256 = (secret: string) => createHash('sha256').update(secret).digest();

/** Does a token with `granted` scopes cover a route that needs `needed`? Each scope includes the ones listed after it. */
export function scopeCovers(granted: readonly ApiTokenScope[], needed: ApiTokenScope): boolean {
  const rank = API_TOKEN_SCOPES.indexOf(needed);
  return granted.some((s) => API_TOKEN_SCOPES.indexOf(s) <= rank);
}

/**
 * The scopes a token keeps while its owner has `role`: what its scopes include, as far as
 * the role allows today (an admin token of a user demoted to member reads the catalog).
 */
function effectiveScopes(scopes: readonly ApiTokenScope[], role: UserRole): ApiTokenScope[] {
  return API_TOKEN_SCOPES_BY_ROLE[role].filter((s) => scopeCovers(scopes, s));
}

function mapToken(t: ApiToken, now = new Date()): ApiTokenSummary {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt.toISOString(),
    expired: t.expiresAt <= now,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  };
}

function refused(message: string): UnauthorizedException {
  return new UnauthorizedException({ code: 'unauthorized', message });
}

/**
 * API tokens: made by a signed-in user for automation, shown once, kept as a SHA-256 of
 * their 32-byte random secret, found by the id they carry. Every request with one reads
 * its row (no cache), so a revoked or expired token is refused by every instance at once;
 * the owner is checked like a session's (UsersService.findActiveRecently).
 */
@Injectable()
export class ApiTokensService {
  constructor(
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async create(owner: AuthenticatedUser, dto: ApiTokenCreateDto): Promise<ApiTokenCreated> {
    const allowed = API_TOKEN_SCOPES_BY_ROLE[owner.role];
    const beyond = dto.scopes.filter((s) => !allowed.includes(s));
    if (beyond.length) {
      throw new ForbiddenException({
        code: 'scope_not_allowed',
        message: `a ${owner.role} cannot give a token scope ${beyond.join(', ')} (allowed: ${allowed.join(', ')})`,
        errors: { scopes: `not allowed for a ${owner.role}: ${beyond.join(', ')}` },
      });
    }
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    // Listed in the contract's order, so the same scopes always read the same way.
    const scopes = API_TOKEN_SCOPES.filter((s) => dto.scopes.includes(s));
    // Counted and inserted in one transaction; on MySQL the owner's row is locked first, so
    // concurrent creations of one user are counted one after the other (SQLite has one writer).
    await this.db.transaction(async (em) => {
      if (this.db.options.type === 'mysql') {
        await em.findOne(User, { where: { id: owner.id }, lock: { mode: 'pessimistic_write' } });
      }
      if ((await em.countBy(ApiToken, { userId: owner.id })) >= API_TOKEN_LIMITS.maxPerUser) {
        throw new ConflictException({
          code: 'token_limit_reached',
          message: `you have ${API_TOKEN_LIMITS.maxPerUser} API tokens, the most one user may hold: revoke some first (expired ones count until revoked)`,
        });
      }
      await em.insert(ApiToken, {
        id,
        userId: owner.id,
        name: dto.name.trim(),
        scopes,
        secretHash: sha256(secret).toString('hex'),
        expiresAt: new Date(Date.now() + dto.expiresInDays * DAY_MS),
        lastUsedAt: null,
      });
    });
    const saved = await this.tokens.findOneByOrFail({ id });
    await this.audit.record('api-token.create', owner, {
      detail: `token:${id} scopes ${scopes.join(',')} expires ${saved.expiresAt.toISOString()}`,
    });
    return { ...mapToken(saved), token: `${API_TOKEN_PREFIX}${id}_${secret}` };
  }

  /** The user's tokens, newest first (at most API_TOKEN_LIMITS.maxPerUser of them). */
  async list(ownerId: string): Promise<ApiTokenSummary[]> {
    const rows = await this.tokens.find({
      where: { userId: ownerId },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: API_TOKEN_LIMITS.maxPerUser,
    });
    const now = new Date();
    return rows.map((r) => mapToken(r, now));
  }

  async get(ownerId: string, id: string): Promise<ApiTokenSummary> {
    const row = await this.tokens.findOneBy({ id, userId: ownerId });
    if (!row) throw new NotFoundException({ code: 'api_token_not_found', message: `you have no API token ${id}` });
    return mapToken(row);
  }

  /** Deletes one of the owner's tokens; someone else's is answered like one that does not exist. */
  async revoke(owner: AuthenticatedUser, id: string): Promise<void> {
    const result = await this.tokens.delete({ id, userId: owner.id });
    if (!result.affected) {
      throw new NotFoundException({ code: 'api_token_not_found', message: `you have no API token ${id}` });
    }
    await this.audit.record('api-token.revoke', owner, { detail: `token:${id}` });
  }

  /**
   * The user behind a bearer token that starts with API_TOKEN_PREFIX, with the token's
   * scopes cut down to what the owner's role allows now; 401 for anything else.
   */
  async authenticate(raw: string): Promise<AuthenticatedUser> {
    const match = API_TOKEN_PATTERN.exec(raw);
    if (!match) throw refused('malformed API token');
    const [, id, secret] = match as unknown as [string, string, string];
    const row = await this.tokens.findOneBy({ id });
    // Hashed before comparing, so the comparison takes the same time whatever was sent.
    const sent = sha256(secret);
    const known = row ? Buffer.from(row.secretHash, 'hex') : Buffer.alloc(sent.length);
    if (!row || !timingSafeEqual(sent, known)) throw refused('unknown or revoked API token');
    const now = new Date();
    if (row.expiresAt <= now) throw refused(`this API token expired at ${row.expiresAt.toISOString()}`);
    const user = await this.users.findActiveRecently(row.userId);
    if (!user) throw refused("this API token's owner is disabled");
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await this.touch(row.id, now);
    }
    return {
      id: user.id,
      username: user.username,
      role: user.role,
      apiToken: { id: row.id, scopes: effectiveScopes(row.scopes, user.role) },
    };
  }

  /** Conditional, so of concurrent requests (on any instance) only the first in a minute writes. */
  private async touch(id: string, now: Date): Promise<void> {
    await this.tokens
      .createQueryBuilder()
      .update(ApiToken)
      .set({ lastUsedAt: now })
      .where('id = :id AND (lastUsedAt IS NULL OR lastUsedAt < :before)', {
        id,
        before: new Date(now.getTime() - LAST_USED_RESOLUTION_MS),
      })
      .execute();
  }
}
