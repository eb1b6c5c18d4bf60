import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Throttles failed logins, per account-and-address (stops guessing one password) and per
 * address (stops spraying many accounts). Only failures count, so a user who types the
 * right password is never slowed down.
 */
@Injectable()
export class LoginThrottleService {
  private readonly perAccountAndAddress = new RateLimiterMemory({
    points: 5,
    duration: 15 * 60,
    blockDuration: 15 * 60,
  });
  private readonly perAddress = new RateLimiterMemory({ points: 50, duration: 60 * 60, blockDuration: 60 * 60 });

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
