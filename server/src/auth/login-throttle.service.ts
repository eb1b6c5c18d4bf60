import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { REDIS } from '../redis/redis.module.js';

/**
 * Failures of one account from one address: the first FREE_FAILURES cost nothing, each
 * one after waits twice as long as the last (30 s, 1 min, 2 min, ... 15 min).
 */
const PAIR_FREE_FAILURES = 5;
const PAIR_FIRST_WAIT_SECONDS = 30;
const PAIR_MAX_WAIT_SECONDS = 15 * 60;
const PAIR_MEMORY_SECONDS = 24 * 3600;
/** Failures from one address over all accounts, and of one account over all addresses, per hour. */
const ADDRESS_FAILURES_PER_HOUR = 100;
const ACCOUNT_FAILURES_PER_HOUR = 50;
/**
 * How long a successful login keeps its account+address pair known good (below 24.8
 * days: the in-memory store expires keys with setTimeout, which fires at once above 2^31 ms).
 */
const KNOWN_GOOD_SECONDS = 14 * 24 * 3600;

export type ThrottleScope = 'account-address' | 'address' | 'account';

export interface Refusal {
  scope: ThrottleScope;
  retryAfterSeconds: number;
}

/** A throttle that began with this failure: what the audit log records as a lockout. */
export interface Lockout {
  scope: ThrottleScope;
  seconds: number;
}

/**
 * Slows password guessing without letting anyone lock a real user out.
 *
 * - Per account and address, exponential backoff: guessing one password from one place
 *   gets slower and slower; nobody elsewhere notices.
 * - Per address (spraying many accounts) and per account (one account from many
 *   addresses), an hourly budget; once spent, that address or account is refused, but
 *   only for pairs that are not *known good*: an account that logged in successfully
 *   from this address in the last 14 days still gets in with its password. So an
 *   attacker who fails a thousand times for made-up users, or for `admin` from a
 *   botnet, slows only himself and new places, never the admin at their usual address.
 *
 * Only failures count. With Redis the counts are shared by every server instance.
 */
@Injectable()
export class LoginThrottleService {
  private readonly pairFailures: RateLimiterAbstract;
  private readonly pairWait: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;
  private readonly perAccount: RateLimiterAbstract;
  private readonly knownGood: RateLimiterAbstract;

  constructor(@Inject(REDIS) redis: Redis | null) {
    const make = (opts: IRateLimiterOptions) =>
      redis ? new RateLimiterRedis({ storeClient: redis, ...opts }) : new RateLimiterMemory(opts);
    this.pairFailures = make({ keyPrefix: 'login-pair-failures', points: 1, duration: PAIR_MEMORY_SECONDS });
    this.pairWait = make({ keyPrefix: 'login-pair-wait', points: 1, duration: PAIR_MAX_WAIT_SECONDS });
    this.perAddress = make({
      keyPrefix: 'login-address',
      points: ADDRESS_FAILURES_PER_HOUR,
      duration: 3600,
      blockDuration: 3600,
    });
    this.perAccount = make({
      keyPrefix: 'login-account',
      points: ACCOUNT_FAILURES_PER_HOUR,
      duration: 3600,
      blockDuration: 3600,
    });
    this.knownGood = make({ keyPrefix: 'login-known-good', points: 1, duration: KNOWN_GOOD_SECONDS });
  }

  /** Null when this login may be tried now, else why not and for how long. */
  async check(username: string, address: string): Promise<Refusal | null> {
    const account = username.toLowerCase();
    const pair = pairKey(account, address);
    const [wait, byAddress, byAccount, known] = await Promise.all([
      this.pairWait.get(pair),
      this.perAddress.get(address),
      this.perAccount.get(account),
      this.knownGood.get(pair),
    ]);
    if (isBlocked(wait, 0)) return refusal('account-address', wait);
    if (known) return null;
    if (isBlocked(byAddress, ADDRESS_FAILURES_PER_HOUR)) return refusal('address', byAddress);
    if (isBlocked(byAccount, ACCOUNT_FAILURES_PER_HOUR)) return refusal('account', byAccount);
    return null;
  }

  /** Counts a failed login; returns the throttles this failure started. */
  async recordFailure(username: string, address: string): Promise<Lockout[]> {
    const account = username.toLowerCase();
    const pair = pairKey(account, address);
    const lockouts: Lockout[] = [];
    const failures = (await this.pairFailures.penalty(pair, 1)).consumedPoints;
    if (failures >= PAIR_FREE_FAILURES) {
      const seconds = Math.min(PAIR_MAX_WAIT_SECONDS, PAIR_FIRST_WAIT_SECONDS * 2 ** (failures - PAIR_FREE_FAILURES));
      await this.pairWait.block(pair, seconds);
      lockouts.push({ scope: 'account-address', seconds });
    }
    const [byAddress, byAccount] = await Promise.all([
      consumeOne(this.perAddress, address),
      consumeOne(this.perAccount, account),
    ]);
    // The one failure past the budget is the one that starts the block.
    if (byAddress.consumedPoints === ADDRESS_FAILURES_PER_HOUR + 1) lockouts.push({ scope: 'address', seconds: 3600 });
    if (byAccount.consumedPoints === ACCOUNT_FAILURES_PER_HOUR + 1) lockouts.push({ scope: 'account', seconds: 3600 });
    return lockouts;
  }

  /** A successful login forgets the pair's failures and makes the pair known good. */
  async recordSuccess(username: string, address: string): Promise<void> {
    const pair = pairKey(username.toLowerCase(), address);
    await Promise.all([
      this.pairFailures.delete(pair),
      this.pairWait.delete(pair),
      this.knownGood.set(pair, 1, KNOWN_GOOD_SECONDS),
    ]);
  }
}

function pairKey(account: string, address: string): string {
  return `${account}|${address}`;
}

function isBlocked(res: RateLimiterRes | null, points: number): res is RateLimiterRes {
  return res !== null && res.consumedPoints > points && res.msBeforeNext > 0;
}

function refusal(scope: ThrottleScope, res: RateLimiterRes): Refusal {
  return { scope, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
}

/** consume() rejects with the limiter's state once the budget is spent; either way, the state. */
async function consumeOne(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes> {
  try {
    return await limiter.consume(key, 1);
  } catch (err) {
    if (err instanceof RateLimiterRes) return err;
    throw err;
  }
}
