/**
 * Redis through Sentinel, as ops run it for high availability: two server instances on one
 * MariaDB schema reach Redis only through three sentinels (REDIS_URL=redis+sentinel://…).
 * The primary is killed while a seed serves and a downloader fetches through the other
 * instance: the sentinels promote the replica, both instances follow it without a
 * restart, the download completes byte-identical, and the swarm is whole again on the
 * new primary within one announce interval.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANNOUNCE_INTERVAL_SECONDS } from '@shoal/contract';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { createMysqlSchema } from '../harness/databases.js';
import { nodeKey } from '../harness/fixtures.js';
import { startSentinelGroup, type SentinelGroup } from '../harness/redis-sentinel.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';
import { until } from '../harness/wait.js';

const SIZE = 24 * 1024 * 1024;

describe('Redis through Sentinel, its primary killed mid-download', () => {
  let sentinel: SentinelGroup;
  let schema: { url: string; drop: () => Promise<void> };
  let a: RunningServer;
  let b: RunningServer;
  let admin: Api;
  const running: ShoalProcess[] = [];

  beforeAll(async () => {
    sentinel = await startSentinelGroup();
    schema = await createMysqlSchema();
    const env = { REDIS_URL: sentinel.url };
    // A at production's log level (the tracker's fast path on), B through the Nest routes.
    a = await startServer({ databaseUrl: schema.url, env: { ...env, SHOAL_LOG_LEVEL: 'log' } });
    b = await startServer({ databaseUrl: schema.url, env });
    admin = await new Api(a.url).login('admin', ADMIN_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await a?.destroy();
    await b?.destroy();
    await schema?.drop();
    await sentinel?.stop();
  });

  it('reports Redis up through the sentinels on both instances', async () => {
    for (const server of [a, b]) {
      expect((await new Api(server.url).get('/health/ready')).body).toEqual({
        status: 'ready',
        database: 'up',
        redis: 'up',
      });
    }
  });

  it('completes a download across the failover, and the swarm is whole on the new primary', async () => {
    const seed = new Agent('sentinel-seed');
    const content = join(seed.dataDir, '..', `shoal-sentinel-${randomBytes(4).toString('hex')}`);
    mkdirSync(content, { recursive: true });
    const bytes = randomBytes(SIZE);
    writeFileSync(join(content, 'image.bin'), bytes);
    await seed.enroll(admin, { role: 'seed', name: 'seed-sentinel' });
    await seed.login(a.url, 'admin', ADMIN_PASSWORD);
    const resourceId = await seed.publish(join(content, 'image.bin'), ['--name', 'Failover image']);
    // 2 MiB/s: the download takes about twelve seconds, long enough to span the failover.
    const serve = seed.spawn(['serve', '--upload-limit', '2M', '--json']);
    running.push(serve);
    await until(
      'the seed online for "Failover image"',
      async () => (await admin.get(`/api/resources/${resourceId}`)).body.seedCount === 1,
      { timeoutMs: 30_000, intervalMs: 200, detail: () => serve.stderr() },
    );

    // The downloader talks to instance B only.
    const laptop = new Agent('sentinel-laptop');
    await laptop.login(b.url, 'admin', ADMIN_PASSWORD);
    const out = join(laptop.dataDir, 'out');
    const get = laptop.spawn(['get', resourceId, '-o', out, '--seed-time', '0', '--json']);
    running.push(get);
    await get.waitFor((e) => e.event === 'progress' && Number(e.downloaded) > 0, 60_000, 'its first bytes');

    const before = await sentinel.primaryPort();
    expect(await sentinel.killPrimary()).toBe(before);
    const after = await until(
      'the sentinels promoting the replica',
      async () => {
        const port = await sentinel.primaryPort();
        return port !== before ? port : false;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(after).not.toBe(before);

    const result = await get.exited(120_000);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(
      createHash('sha256')
        .update(readFileSync(join(out, 'image.bin')))
        .digest('hex'),
    ).toBe(createHash('sha256').update(bytes).digest('hex'));

    // Both instances answer on the new primary; a newcomer announcing to B finds the seed
    // (which announces to A) within one announce interval.
    const token = await admin.post('/api/admin/enrollment-tokens', { role: 'client' });
    const key = nodeKey();
    const enrolled = await new Api(b.url).post('/api/nodes/enroll', {
      token: token.body.token,
      name: 'after-failover',
      role: 'client',
      addresses: ['127.0.0.1:7999'],
      publicKey: key.publicJwk,
    });
    expect(enrolled.status).toBe(201);
    const newcomer = new Api(b.url).asNode(enrolled.body.credential, key.privateKey);
    let last: unknown;
    await until(
      'the seed among the peers B names after the failover',
      async () => {
        const res = await newcomer.post('/api/tracker/announce', {
          resourceId,
          event: 'started',
          left: SIZE,
          uploaded: 0,
          downloaded: 0,
        });
        last = res.body;
        return res.status === 200 && (res.body.peers as { name: string }[]).some((p) => p.name === 'seed-sentinel');
      },
      { timeoutMs: (ANNOUNCE_INTERVAL_SECONDS + 5) * 1000, intervalMs: 1000, detail: () => JSON.stringify(last) },
    );
    for (const server of [a, b]) expect((await new Api(server.url).get('/health/ready')).body.redis).toBe('up');
    // No request failed with a 500 while the primary was gone.
    expect(a.output() + b.output()).not.toMatch(/"statusCode":500/);
  }, 240_000);
});
