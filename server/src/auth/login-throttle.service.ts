import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { REDIS } from '../redis/redis.module.js';

/** 5 failures per account and address in 15 min, 50 per address in an hour, then blocked as long. */
const PER_ACCOUNT = { points: 5, duration: 15 * 60, blockDuration: 15 * 60, keyPrefix: 'login-account' };
const PER_ADDRESS = { points: 50, duration: 60 * 60, blockDuration: 60 * 60, keyPrefix: 'login-address' };

/**
 * Throttles failed logins, per account-and-address (stops guessing one password) and per
 * address (stops spraying many accounts). Only failures count, so a user who types the
 * right password is never slowed down.
 */
@Injectable()
export class LoginThrottleService {
  private readonly perAccountAndAddress: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;

  /** With Redis the counts are shared, so spreading guesses over server instances gains nothing. */
  constructor(@Inject(REDIS) redis: Redis | null) {
    this.perAccountAndAddress = redis
      ? new RateLimiterRedis({ storeClient: redis, ...PER_ACCOUNT })
      : new RateLimiterMemory(PER_ACCOUNT);
    this.perAddress = redis
      ? new RateLimiterRedis({ storeClient: redis, ...PER_ADDRESS })
      : new RateLimiterMemory(PER_ADDRESS);
  }

  async assertAllowed(username: string, address: string): Promise<void> {
    const [a, b] = await Promise.all([
      this.perAccountAndAddress.get(this.key(username, address)),
      this.perAddress.get(address),
    ]);
    const blocked = [a, b].filter((r): r is RateLimiterRes => r !== null && r.remainingPoints <= 0);
    if (blocked.length) {
      const retryAfter = Math.ceil(Math.max(...blocked.map((r) => r.msBeforeNext)) / 1000);
      throw new HttpException(
        { code: 'too_many_requests', message: `too many failed logins; retry in ${retryAfter} s`, retryAfter },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  async recordFailure(username: string, address: string): Promise<void> {
    await Promise.all([
      this.perAccountAndAddress.penalty(this.key(username, address), 1),
      this.perAddress.penalty(address, 1),
    ]);
  }

  async recordSuccess(username: string, address: string): Promise<void> {
    await this.perAccountAndAddress.delete(this.key(username, address));
  }

  private key(username: string, address: string): string {
    return `${username.toLowerCase()}|${address}`;
  }
}
