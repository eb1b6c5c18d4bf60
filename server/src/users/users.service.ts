import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Page, UserRole, UserSummary } from '@shoal/contract';
import { Repository } from 'typeorm';
import { PasswordsService } from '../auth/passwords.service.js';
import { prefixRange } from '../common/prefix-range.js';
import { ActiveUserCache, type ActiveUser } from './active-user.cache.js';
import { User } from './user.entity.js';

export function mapUser(u: User): UserSummary {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    disabled: u.disabled,
    sso: Boolean(u.oidcSubject),
    groups: parseGroups(u.idpGroups),
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

function parseGroups(raw: string | null): string[] {
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((g): g is string => typeof g === 'string') : [];
  } catch {
    return [];
  }
}

/** No argon2 hash looks like this, so no password ever verifies for a single sign-on user. */
const NO_LOCAL_PASSWORD = '!sso';

/** Who the IdP says signed in, already validated (see OidcService). */
export interface SsoIdentity {
  issuer: string;
  subject: string;
  /** Wanted username (preferred_username, else subject), lower-cased and checked by the caller. */
  username: string;
  role: UserRole;
  groups: string[];
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);
  private readonly active = new ActiveUserCache();

  constructor(
    @InjectRepository(User) private readonly repo: Repository<User>,
    private readonly passwords: PasswordsService,
  ) {}

  /**
   * At first start (no users at all) creates `admin`: with SHOAL_ADMIN_PASSWORD when set,
   * otherwise with a random one-time password printed once to the console.
   */
  async ensureAdmin(configuredPassword: string | null): Promise<void> {
    if ((await this.repo.count()) > 0) return;
    const password = configuredPassword ?? randomBytes(12).toString('base64url');
    try {
      await this.create('admin', password, 'admin');
    } catch (err) {
      if (err instanceof ConflictException) return; // a sibling instance won the race
      throw err;
    }
    if (configuredPassword) {
      this.logger.log('created user "admin" with the password from SHOAL_ADMIN_PASSWORD');
    } else {
      // Printed straight to the console on purpose, never through the logger, so it does
      // not end up in log files; it is shown exactly once.
      process.stdout.write(
        `\n  Shoal first start: created user "admin" with one-time password: ${password}\n` +
          '  Log in at the portal and change it (or set SHOAL_ADMIN_PASSWORD before first start).\n\n',
      );
    }
  }

  async create(username: string, password: string, role: UserRole): Promise<User> {
    const name = username.toLowerCase();
    if (await this.repo.existsBy({ username: name })) {
      throw new ConflictException({
        code: 'username_taken',
        message: `username "${name}" is taken`,
        errors: { username: 'is taken' },
      });
    }
    const user = this.repo.create({
      id: randomUUID(),
      username: name,
      passwordHash: await this.passwords.hash(password),
      role,
      disabled: false,
    });
    try {
      return await this.repo.save(user);
    } catch {
      throw new ConflictException({
        code: 'username_taken',
        message: `username "${name}" is taken`,
        errors: { username: 'is taken' },
      });
    }
  }

  /**
   * The Shoal user linked to this IdP identity, created at its first sign-in; role and
   * groups rewritten from the claims every time (so removal from an admin group demotes).
   * A disabled user stays disabled and is refused by the caller. A username already held by
   * another account (a local break-glass admin, say) is never taken over: refused.
   */
  async upsertFromSso(identity: SsoIdentity): Promise<User> {
    const groups = JSON.stringify(identity.groups);
    const existing = await this.repo.findOneBy({ oidcIssuer: identity.issuer, oidcSubject: identity.subject });
    if (existing) {
      existing.role = identity.role;
      existing.idpGroups = groups;
      this.active.forget(existing.id);
      try {
        return await this.repo.save(existing);
      } finally {
        this.active.forget(existing.id);
      }
    }
    const taken = () =>
      new ConflictException({
        code: 'sso_username_taken',
        message: `username "${identity.username}" belongs to another account`,
      });
    if (await this.repo.existsBy({ username: identity.username })) throw taken();
    const user = this.repo.create({
      id: randomUUID(),
      username: identity.username,
      passwordHash: NO_LOCAL_PASSWORD,
      role: identity.role,
      disabled: false,
      oidcIssuer: identity.issuer,
      oidcSubject: identity.subject,
      idpGroups: groups,
    });
    try {
      return await this.repo.save(user);
    } catch {
      throw taken(); // a concurrent first sign-in of the same name or identity
    }
  }

  findByUsername(username: string): Promise<User | null> {
    return this.repo.findOneBy({ username: username.toLowerCase() });
  }

  /** The user if it exists and is not disabled. */
  findActive(id: string): Promise<User | null> {
    return this.repo.findOneBy({ id, disabled: false });
  }

  /**
   * findActive for the guard, on every authenticated request: an account read as active
   * is trusted for ACTIVE_USER_TTL_MS (a disable or role change on this instance applies
   * at once, one on a sibling instance within that time).
   */
  async findActiveRecently(id: string): Promise<ActiveUser | null> {
    const cached = this.active.get(id);
    if (cached) return cached;
    const mark = this.active.mark();
    const user = await this.findActive(id);
    if (user) this.active.set(user, mark);
    return user;
  }

  async getOrFail(id: string): Promise<User> {
    const user = await this.repo.findOneBy({ id });
    if (!user) throw new NotFoundException({ code: 'user_not_found', message: `no user ${id}` });
    return user;
  }

  async list(q: string | undefined, page: number, size: number): Promise<Page<UserSummary>> {
    const qb = this.repo
      .createQueryBuilder('u')
      .orderBy('u.username', 'ASC')
      .skip((page - 1) * size)
      .take(size);
    const term = q?.trim().toLowerCase();
    if (term) {
      const [from, to] = prefixRange(term);
      qb.where('u.username >= :from AND u.username < :to', { from, to });
    }
    const [rows, total] = await qb.getManyAndCount();
    return { items: rows.map(mapUser), total, page, size };
  }

  async update(id: string, changes: { role?: UserRole; disabled?: boolean }, actingUserId: string): Promise<User> {
    const user = await this.getOrFail(id);
    if (id === actingUserId && (changes.disabled === true || (changes.role && changes.role !== 'admin'))) {
      throw new ConflictException({ code: 'cannot_demote_self', message: 'you cannot disable or demote yourself' });
    }
    if (changes.role !== undefined) user.role = changes.role;
    if (changes.disabled !== undefined) user.disabled = changes.disabled;
    // Forgotten before and after the write, so a read under way meanwhile keeps neither the old row nor the new one.
    this.active.forget(id);
    try {
      return await this.repo.save(user);
    } finally {
      this.active.forget(id);
    }
  }

  /** An admin's reset: the new password, and the user's sessions so far end (whoever had the old one is out). */
  async resetPassword(id: string, password: string): Promise<void> {
    await this.getOrFail(id);
    await this.changeAccount(id, { passwordHash: await this.passwords.hash(password) });
  }

  /** The user's own change: the new password, and their sessions so far end; the row as it is now. */
  async changePassword(id: string, password: string): Promise<User> {
    await this.changeAccount(id, { passwordHash: await this.passwords.hash(password) });
    return this.getOrFail(id);
  }

  /** Ends every session of the user: tokens issued before are refused (API tokens are not sessions). */
  async endSessions(id: string): Promise<void> {
    await this.changeAccount(id, {});
  }

  /**
   * Writes `changes` and moves the session generation on, in one UPDATE (two at once
   * both count). Forgotten before and after, like `update`.
   */
  private async changeAccount(id: string, changes: Partial<Pick<User, 'passwordHash'>>): Promise<void> {
    this.active.forget(id);
    try {
      await this.repo
        .createQueryBuilder()
        .update(User)
        .set({ ...changes, sessionGeneration: () => 'sessionGeneration + 1' })
        .where('id = :id', { id })
        .execute();
    } finally {
      this.active.forget(id);
    }
  }
}
