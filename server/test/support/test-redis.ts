import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The machine's Redis, as the e2e suites reach it (SHOAL_TEST_REDIS_URL). */
export const TEST_REDIS_URL = process.env.SHOAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of this run's own, so parallel runs and reruns never meet. */
export function testRedisPrefix(): string {
  return `shoal-test-${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under the prefix. */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
}
