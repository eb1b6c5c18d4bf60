import type { UserRole } from '@shoal/contract';

/**
 * How long this instance trusts an account it read as active (id, name, role) without
 * reading it again. A change made on this instance (disable, role) drops the entry at
 * once; one made on a sibling instance behind the same load balancer is seen here within
 * this time, the same bound as node revocations (RevocationListService).
 */
export const ACTIVE_USER_TTL_MS = 3_000;
/** Accounts remembered at most; past this the oldest go first (they are the nearest to expiry anyway). */
const MAX_ENTRIES = 10_000;

export interface ActiveUser {
  id: string;
  username: string;
  role: UserRole;
  sessionGeneration: number;
}

/**
 * Active accounts as the guard last read them, so an authenticated request does not query
 * the database for its user each time. Only accounts found active are kept: a disabled or
 * unknown one is looked up again on every request, as before.
 */
export class ActiveUserCache {
  private readonly entries = new Map<string, { user: ActiveUser; expires: number }>();
  private changes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get(id: string): ActiveUser | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.expires > this.now()) return e.user;
    this.entries.delete(id);
    return undefined;
  }

  /** A mark to pass to `set` for a row read after it: the row is kept only if no account changed meanwhile. */
  mark(): number {
    return this.changes;
  }

  set(user: ActiveUser, readAfter: number): void {
    if (readAfter !== this.changes) return;
    // Re-inserted at the end, so insertion order stays expiry order.
    this.entries.delete(user.id);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(user.id, {
      user: { id: user.id, username: user.username, role: user.role, sessionGeneration: user.sessionGeneration },
      expires: this.now() + ACTIVE_USER_TTL_MS,
    });
  }

  /** Call when an account changes (before its write commits): drops it, and any read still under way. */
  forget(id: string): void {
    this.changes++;
    this.entries.delete(id);
  }
}
