import { Redis } from 'ioredis';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../../test/support/test-redis.js';
import { RedisSwarmStore } from './redis-swarm-store.js';
import type { SwarmMember } from './swarm-store.js';

const member = (nodeId: string, left = 10): SwarmMember => ({
  nodeId,
  name: nodeId,
  role: 'client',
  site: 'fra',
  addresses: ['10.0.0.1:7070'],
  left,
});

const ids = (members: SwarmMember[]) => members.map((m) => m.nodeId).sort();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Against the machine's Redis, under a key prefix of this run's own. */
describe('RedisSwarmStore', () => {
  const prefix = testRedisPrefix();
  const clients: Redis[] = [];
  /** A store as one server instance has it: its own connection to the shared Redis. */
  const instance = () => {
    const redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
    clients.push(redis);
    return new RedisSwarmStore(redis);
  };
  let store: RedisSwarmStore;

  beforeAll(() => {
    store = instance();
  });

  afterAll(async () => {
    for (const c of clients) await c.quit();
    await dropRedisPrefix(prefix);
  });

  it('keeps members with their announce, and says when the downloader count may change', async () => {
    expect(await store.upsert('r1', member('a', 10), 60)).toBe(true);
    expect(await store.upsert('r1', member('a', 5), 60)).toBe(false);
    expect(await store.upsert('r1', member('b', 10), 60)).toBe(true);
    expect(await store.upsert('r1', member('c', 0), 60)).toBe(false);
    expect(await store.members('r1', 10)).toEqual(
      expect.arrayContaining([member('a', 5), member('b'), member('c', 0)]),
    );
    expect(await store.downloaderCount('r1')).toBe(2);
    expect(await store.upsert('r1', member('a', 0), 60)).toBe(true); // finished
    expect(await store.downloaderCount('r1')).toBe(1);
    expect(await store.members('r1', 2)).toHaveLength(2);
  });

  it('forgets a member that stopped at once, without reporting it as expired', async () => {
    await store.upsert('r2', member('a'), 60);
    await store.upsert('r2', member('b'), 60);
    const active = await store.activeDownloads();
    await store.remove('r2', 'a');
    expect(ids(await store.members('r2', 10))).toEqual(['b']);
    expect(await store.downloaderCount('r2')).toBe(1);
    expect(await store.activeDownloads()).toBe(active - 1);
    expect(await store.drainExpiredDownloads()).not.toContain('r2');
  });

  it('lets members expire after their TTL, and reports the resources that lost a downloader once', async () => {
    const watcher = instance();
    await watcher.drainExpiredDownloads();
    await store.upsert('r3', member('leecher', 10), 1);
    await store.upsert('r3', member('seeder', 0), 1);
    await store.upsert('r4', member('steady', 10), 60);
    expect(ids(await store.members('r3', 10))).toEqual(['leecher', 'seeder']);
    await sleep(1_100);
    expect(await store.members('r3', 10)).toEqual([]);
    expect(await store.downloaderCount('r3')).toBe(0);
    expect(ids(await store.members('r4', 10))).toEqual(['steady']);
    expect(await watcher.drainExpiredDownloads()).toEqual(['r3']);
    expect(await watcher.drainExpiredDownloads()).toEqual([]);
  });

  it('is shared by every instance on the same Redis, and forgets a revoked node everywhere', async () => {
    const other = instance();
    await store.upsert('r5', member('x'), 60);
    await other.upsert('r6', member('x'), 60);
    await other.upsert('r6', member('y'), 60);
    expect(ids(await other.members('r5', 10))).toEqual(['x']);
    await other.removeNode('x');
    expect(await store.members('r5', 10)).toEqual([]);
    expect(ids(await store.members('r6', 10))).toEqual(['y']);
  });
});
