import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { isRedisUnreachable } from './redis-errors.js';

/** What one command gets from an ioredis client whose Redis is not there (nothing listens on port 1). */
async function failureOf(options: RedisOptions): Promise<unknown> {
  const client = new Redis('redis://127.0.0.1:1', options);
  client.on('error', () => undefined);
  try {
    return await client.set('k', '1', 'EX', 5, 'NX').then(
      () => new Error('answered'),
      (e: unknown) => e,
    );
  } finally {
    client.disconnect();
  }
}

describe('isRedisUnreachable', () => {
  it('recognises what ioredis throws for a command while Redis cannot be reached', async () => {
    // The server's settings (offline queue, a few retries), with short reconnect delays.
    expect(isRedisUnreachable(await failureOf({ maxRetriesPerRequest: 1, retryStrategy: () => 10 }))).toBe(true);
    // Reconnecting given up: "Connection is closed."
    expect(isRedisUnreachable(await failureOf({ retryStrategy: () => null }))).toBe(true);
    // No offline queue, not connected.
    expect(isRedisUnreachable(await failureOf({ enableOfflineQueue: false, retryStrategy: () => 10 }))).toBe(true);
  });

  it('leaves other errors alone: Redis answering with an error, or anything else', () => {
    const wrongType = new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(isRedisUnreachable(wrongType)).toBe(false);
    expect(isRedisUnreachable(new Error('boom'))).toBe(false);
    expect(isRedisUnreachable('Connection is closed.')).toBe(false);
  });
});
