/**
 * The swarm on Redis, across two server instances: a peer that says `stopped` is gone from
 * the swarm for every downloader at once, and one that stops announcing without a word
 * (a crashed or unplugged machine) is dropped once its entry's TTL runs out. Instance A
 * answers announces on its fast path, B through the Nest route, so both read the store.
 */
import { randomBytes } from 'node:crypto';
import { SWARM_ENTRY_TTL_SECONDS } from '@shoal/contract';
import { Redis } from 'ioredis';
import { Api } from '../harness/api-client.js';
import { createMysqlSchema } from '../harness/databases.js';
import { metadata, nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

const REDIS_URL = process.env.SHOAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SIZE = 100_000;

describe('swarm membership on Redis across two instances', () => {
  const prefix = `shoal-test-${randomBytes(4).toString('hex')}:`;
  let schema: { url: string; drop: () => Promise<void> };
  let a: RunningServer;
  let b: RunningServer;
  let admin: Api;
  let redis: Redis;

  beforeAll(async () => {
    schema = await createMysqlSchema();
    const env = { REDIS_URL, SHOAL_REDIS_PREFIX: prefix };
    // Below debug level the announce fast path is on; the harness default (debug) keeps it off.
    a = await startServer({ databaseUrl: schema.url, env: { ...env, SHOAL_LOG_LEVEL: 'log' } });
    b = await startServer({ databaseUrl: schema.url, env });
    admin = await new Api(a.url).login('admin', ADMIN_PASSWORD);
    redis = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    await schema?.drop();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });

  async function client(name: string) {
    const token = await admin.post('/api/admin/enrollment-tokens', { role: 'client' });
    const key = nodeKey();
    const res = await new Api(a.url).post('/api/nodes/enroll', {
      token: token.body.token,
      name,
      role: 'client',
      addresses: [`127.0.0.1:${7000 + Math.floor(Math.random() * 1000)}`],
      publicKey: key.publicJwk,
    });
    expect(res.status).toBe(201);
    const onA = new Api(a.url).asNode(res.body.credential, key.privateKey);
    return { nodeId: res.body.nodeId as string, onA, onB: onA.at(b.url) };
  }

  async function publish(name: string): Promise<string> {
    const res = await admin.post('/api/admin/resources', metadata(name, [SIZE]));
    expect(res.status).toBe(201);
    return res.body.id;
  }

  /** Node ids the tracker gives this caller for the resource. */
  async function peersSeenBy(caller: Api, resourceId: string, left = SIZE): Promise<string[]> {
    const res = await caller.post('/api/tracker/announce', {
      resourceId,
      event: 'update',
      left,
      uploaded: 0,
      downloaded: 0,
    });
    expect(res.status).toBe(200);
    return (res.body.peers as { nodeId: string }[]).map((p) => p.nodeId).sort();
  }

  const started = (resourceId: string, left: number) => ({
    resourceId,
    event: 'started',
    left,
    uploaded: 0,
    downloaded: 0,
  });

  it('drops a peer that announced `stopped` on one instance from the answers of both, at once', async () => {
    const resourceId = await publish('stopping');
    const leaving = await client('leaving');
    const staying = await client('staying');
    const watcher = await client('watcher');
    expect((await leaving.onA.post('/api/tracker/announce', started(resourceId, 0))).status).toBe(200);
    expect((await staying.onB.post('/api/tracker/announce', started(resourceId, SIZE / 2))).status).toBe(200);
    const both = [leaving.nodeId, staying.nodeId].sort();
    expect(await peersSeenBy(watcher.onA, resourceId)).toEqual(both);
    expect(await peersSeenBy(watcher.onB, resourceId)).toEqual(both);

    const stopped = await leaving.onB.post('/api/tracker/announce', { ...started(resourceId, 0), event: 'stopped' });
    expect(stopped.status).toBe(200);
    expect(stopped.body.peers).toEqual([]);
    expect(await peersSeenBy(watcher.onA, resourceId)).toEqual([staying.nodeId]);
    expect(await peersSeenBy(watcher.onB, resourceId)).toEqual([staying.nodeId]);
    expect(await peersSeenBy(staying.onA, resourceId, SIZE / 2)).toEqual([watcher.nodeId]);
  });

  it('drops a peer that went silent once its announce is older than the TTL, on both instances', async () => {
    const resourceId = await publish('silent');
    const silent = await client('silent');
    const chatty = await client('chatty');
    const watcher = await client('watcher-2');
    expect((await silent.onA.post('/api/tracker/announce', started(resourceId, SIZE / 4))).status).toBe(200);
    expect((await chatty.onB.post('/api/tracker/announce', started(resourceId, SIZE / 4))).status).toBe(200);
    expect(await peersSeenBy(watcher.onB, resourceId)).toEqual([silent.nodeId, chatty.nodeId].sort());

    // The server gives each entry the documented TTL...
    const member = `${prefix}member:${resourceId}:${silent.nodeId}`;
    const ttlMs = await redis.pttl(member);
    expect(ttlMs).toBeGreaterThan((SWARM_ENTRY_TTL_SECONDS - 10) * 1000);
    expect(ttlMs).toBeLessThanOrEqual(SWARM_ENTRY_TTL_SECONDS * 1000);
    const expiresAt = Number(await redis.zscore(`${prefix}swarm:${resourceId}`, silent.nodeId));
    expect(Math.abs(expiresAt - (Date.now() + ttlMs))).toBeLessThan(5_000);

    // ...and no setting shortens it, so the clock is moved instead of waited for: the
    // silent node's entry is put where the TTL leaves it (Redis dropped its value, its
    // expiry time passed), while the other member keeps announcing as usual.
    const past = Date.now() - 1;
    await redis
      .multi()
      .del(member)
      .zadd(`${prefix}swarm:${resourceId}`, past, silent.nodeId)
      .zadd(`${prefix}leechers:${resourceId}`, past, silent.nodeId)
      .zadd(`${prefix}leechers:all`, past, `${resourceId}|${silent.nodeId}`)
      .exec();
    expect(
      (await chatty.onA.post('/api/tracker/announce', { ...started(resourceId, SIZE / 4), event: 'update' })).status,
    ).toBe(200);

    expect(await peersSeenBy(watcher.onA, resourceId)).toEqual([chatty.nodeId]);
    expect(await peersSeenBy(watcher.onB, resourceId)).toEqual([chatty.nodeId]);
    // The entry is gone from the store, not merely skipped, and the node comes back as
    // soon as it announces again.
    expect(await redis.zscore(`${prefix}swarm:${resourceId}`, silent.nodeId)).toBeNull();
    expect(
      (await silent.onB.post('/api/tracker/announce', { ...started(resourceId, SIZE / 4), event: 'update' })).status,
    ).toBe(200);
    expect(await peersSeenBy(watcher.onA, resourceId)).toEqual([silent.nodeId, chatty.nodeId].sort());
  });
});
