import type { Redis } from 'ioredis';
import type { SwarmMember, SwarmStore } from './swarm-store.js';

/**
 * Swarm state shared by every server instance. Per resource, a sorted set of node ids
 * scored by expiry time, plus one key per member holding its JSON with the same TTL; a
 * second sorted set tracks members with bytes left (downloaders). Expired entries are
 * trimmed on read, so nothing outlives its TTL by more than one read.
 */
const EXPIRED_KEEP_MS = 5 * 60_000;

export class RedisSwarmStore implements SwarmStore {
  private lastExpiryCheck = Date.now();

  constructor(private readonly redis: Redis) {}

  private swarmKey = (r: string) => `swarm:${r}`;
  private leechKey = (r: string) => `leechers:${r}`;
  private memberKey = (r: string, n: string) => `member:${r}:${n}`;
  private nodeKey = (n: string) => `node-swarms:${n}`;
  private readonly allLeechers = 'leechers:all';

  async upsert(resourceId: string, member: SwarmMember, ttlSeconds: number): Promise<boolean> {
    const expiresAt = Date.now() + ttlSeconds * 1000;
    const tx = this.redis
      .multi()
      .zadd(this.swarmKey(resourceId), expiresAt, member.nodeId)
      .set(this.memberKey(resourceId, member.nodeId), JSON.stringify(member), 'PX', ttlSeconds * 1000)
      .sadd(this.nodeKey(member.nodeId), resourceId)
      .expire(this.nodeKey(member.nodeId), ttlSeconds * 2)
      .expire(this.swarmKey(resourceId), ttlSeconds * 2);
    if (member.left > 0) {
      tx.zadd(this.leechKey(resourceId), expiresAt, member.nodeId)
        .expire(this.leechKey(resourceId), ttlSeconds * 2)
        .zadd(this.allLeechers, expiresAt, `${resourceId}|${member.nodeId}`);
    } else {
      tx.zrem(this.leechKey(resourceId), member.nodeId).zrem(this.allLeechers, `${resourceId}|${member.nodeId}`);
    }
    const results = (await tx.exec()) ?? [];
    // ZADD answers 1 for a new downloader, ZREM 1 for one that just finished.
    return results[5]?.[1] === 1;
  }

  async remove(resourceId: string, nodeId: string): Promise<void> {
    await this.redis
      .multi()
      .zrem(this.swarmKey(resourceId), nodeId)
      .zrem(this.leechKey(resourceId), nodeId)
      .zrem(this.allLeechers, `${resourceId}|${nodeId}`)
      .del(this.memberKey(resourceId, nodeId))
      .srem(this.nodeKey(nodeId), resourceId)
      .exec();
  }

  async members(resourceId: string, limit: number): Promise<SwarmMember[]> {
    const key = this.swarmKey(resourceId);
    const [, ids] = (await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', Date.now())
      .zrange(key, 0, limit - 1)
      .exec()) as [[Error | null, number], [Error | null, string[]]];
    const nodeIds = ids[1] ?? [];
    if (!nodeIds.length) return [];
    const raw = await this.redis.mget(nodeIds.map((n) => this.memberKey(resourceId, n)));
    return raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as SwarmMember);
  }

  async downloaderCount(resourceId: string): Promise<number> {
    const key = this.leechKey(resourceId);
    const [, count] = (await this.redis.multi().zremrangebyscore(key, '-inf', Date.now()).zcard(key).exec()) as [
      unknown,
      [Error | null, number],
    ];
    return count[1] ?? 0;
  }

  async removeNode(nodeId: string): Promise<void> {
    const resources = await this.redis.smembers(this.nodeKey(nodeId));
    for (const r of resources) await this.remove(r, nodeId);
    await this.redis.del(this.nodeKey(nodeId));
  }

  async drainExpiredDownloads(): Promise<string[]> {
    // Each instance looks at what expired since it last looked; counts are idempotent, so
    // two instances recounting the same resource is harmless.
    const now = Date.now();
    const from = this.lastExpiryCheck;
    this.lastExpiryCheck = now;
    const [[, expired]] = (await this.redis
      .multi()
      .zrangebyscore(this.allLeechers, `(${from}`, now)
      // Entries long expired have been seen by every instance by now.
      .zremrangebyscore(this.allLeechers, '-inf', now - EXPIRED_KEEP_MS)
      .exec()) as [[Error | null, string[]], unknown];
    return [...new Set(expired.map((m) => m.slice(0, m.indexOf('|'))))];
  }

  async activeDownloads(): Promise<number> {
    return this.redis.zcount(this.allLeechers, `(${Date.now()}`, '+inf');
  }
}
