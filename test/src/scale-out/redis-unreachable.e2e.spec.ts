/**
 * An instance whose Redis (REDIS_URL) cannot be reached answers what needs Redis with a
 * clear 503 `redis_unavailable` and Retry-After, never a 500: node calls (the replay cache
 * of node proofs is in Redis), announces, logins (the throttle is in Redis). The shared
 * Redis stays up: instance B is pointed at a closed port, instance A (no Redis) shares
 * B's MariaDB schema and enrolls the node.
 */
import { Api } from '../harness/api-client.js';
import { createMysqlSchema } from '../harness/databases.js';
import { metadata, nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

const HEARTBEAT = '/api/nodes/heartbeat';
const ANNOUNCE = '/api/tracker/announce';

describe('an instance whose Redis is unreachable', () => {
  let schema: { url: string; drop: () => Promise<void> };
  let a: RunningServer;
  let b: RunningServer;
  let onA: Api;
  let onB: Api;
  let resourceId: string;

  const heartbeat = { holdings: [], uploadedBytes: 0, downloadedBytes: 0, uploadedToPeersBytes: 0, addresses: [] };

  beforeAll(async () => {
    schema = await createMysqlSchema();
    a = await startServer({ databaseUrl: schema.url });
    // Nothing listens on port 1; 'log' level keeps the tracker's fast path on, as in production.
    b = await startServer({
      databaseUrl: schema.url,
      env: { REDIS_URL: 'redis://127.0.0.1:1', SHOAL_LOG_LEVEL: 'log' },
    });
    const admin = await new Api(a.url).login('admin', ADMIN_PASSWORD);
    resourceId = (await admin.post('/api/admin/resources', metadata('redis-down-kit'))).body.id;
    const token = await admin.post('/api/admin/enrollment-tokens', { role: 'seed' });
    const key = nodeKey();
    const enrolled = await new Api(a.url).post('/api/nodes/enroll', {
      token: token.body.token,
      name: 'seed-redis-down',
      role: 'seed',
      addresses: ['127.0.0.1:7070'],
      publicKey: key.publicJwk,
    });
    expect(enrolled.status).toBe(201);
    onA = new Api(a.url).asNode(enrolled.body.credential, key.privateKey);
    onB = onA.at(b.url);
  });

  afterAll(async () => {
    await b?.destroy();
    await a?.destroy();
    await schema?.drop();
  });

  function expectUnavailable(res: { status: number; body: any; headers: Headers }) {
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      statusCode: 503,
      code: 'redis_unavailable',
      message: 'service unavailable: the shared state store (Redis) is unreachable; retry shortly',
    });
    expect(res.headers.get('retry-after')).toBe('5');
  }

  it('answers node calls 503 redis_unavailable, not 500', async () => {
    // The same calls are fine where proofs need no Redis.
    expect((await onA.post(HEARTBEAT, heartbeat)).status).toBe(200);
    expectUnavailable(await onB.post(HEARTBEAT, heartbeat));
    // The heartbeat cached the credential on B: this announce meets the tracker's fast path first.
    expectUnavailable(await onB.post(ANNOUNCE, { resourceId, event: 'started', left: 0, uploaded: 0, downloaded: 0 }));
  });

  it('answers logins 503 too, and says so in readiness while liveness holds', async () => {
    expectUnavailable(await new Api(b.url).post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD }));
    expect((await new Api(b.url).get('/health/live')).status).toBe(200);
    const ready = await new Api(b.url).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.message).toBe('database up, redis down');
  });

  it('logs each as a 503 with its reason, and no 500', () => {
    expect(b.output()).toContain('answered 503: Redis unreachable');
    expect(b.output()).not.toMatch(/"statusCode":500/);
  });
});
