/**
 * The database restarted under a running server (an upgrade, a failover, a crash): while
 * it is down the server answers what needs it 503 `database_unavailable` with Retry-After
 * (never a 500), says so in readiness while liveness holds, and once it is back answers
 * again on fresh connections with nothing lost. The suite runs its own MariaDB so that
 * stopping it touches no other suite.
 */
import { Api } from '../harness/api-client.js';
import { DATABASES } from '../harness/databases.js';
import { metadata, nodeKey } from '../harness/fixtures.js';
import { startPrivateMariadb, type PrivateMariadb } from '../harness/private-mariadb.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';
import { until } from '../harness/wait.js';

const HEARTBEAT = { holdings: [], uploadedBytes: 0, downloadedBytes: 0, uploadedToPeersBytes: 0, addresses: [] };

// A MariaDB suite: SHOAL_TEST_MYSQL=off leaves it out with the others (CI never does).
const mariadbSuite = DATABASES.includes('mysql') ? describe : describe.skip;

mariadbSuite('a server whose MariaDB restarts', () => {
  let db: PrivateMariadb;
  let server: RunningServer;
  let admin: Api;
  let node: Api;
  let resourceId: string;

  beforeAll(async () => {
    db = await startPrivateMariadb();
    server = await startServer({ databaseUrl: db.url });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    resourceId = (await admin.post('/api/admin/resources', metadata('kept-across-restart'))).body.id;
    const token = await admin.post('/api/admin/enrollment-tokens', { role: 'seed' });
    const key = nodeKey();
    const enrolled = await new Api(server.url).post('/api/nodes/enroll', {
      token: token.body.token,
      name: 'seed-db-restart',
      role: 'seed',
      addresses: ['127.0.0.1:7070'],
      publicKey: key.publicJwk,
    });
    expect(enrolled.status).toBe(201);
    node = new Api(server.url).asNode(enrolled.body.credential, key.privateKey);
    expect((await node.post('/api/nodes/heartbeat', HEARTBEAT)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await server?.destroy();
    await db?.destroy();
  });

  function expectUnavailable(res: { status: number; body: any; headers: Headers }, what: string) {
    expect({ what, status: res.status, code: res.body?.code }).toEqual({
      what,
      status: 503,
      code: 'database_unavailable',
    });
    expect(res.body.message).toBe('service unavailable: the database is unreachable; retry shortly');
    expect(res.headers.get('retry-after')).toBe('5');
  }

  it('answers 503 database_unavailable while it is down, and everything again once it is back', async () => {
    await db.stop();

    expectUnavailable(await admin.get('/api/resources'), 'catalog');
    expectUnavailable(await admin.get(`/api/resources/${resourceId}`), 'resource detail');
    expectUnavailable(await node.post('/api/nodes/heartbeat', HEARTBEAT), 'heartbeat');
    expectUnavailable(
      await new Api(server.url).post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD }),
      'login',
    );
    const ready = await new Api(server.url).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.message).toMatch(/^database down/);
    expect((await new Api(server.url).get('/health/live')).status).toBe(200);

    await db.start();
    await until('the catalog answering again', async () => (await admin.get('/api/resources')).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    // Nothing lost: what was written before is there, and writes work on the new connections.
    expect((await admin.get(`/api/resources/${resourceId}`)).body.name).toBe('kept-across-restart');
    expect((await node.post('/api/nodes/heartbeat', HEARTBEAT)).status).toBe(200);
    expect((await new Api(server.url).login('admin', ADMIN_PASSWORD)).token).toEqual(expect.any(String));
    expect((await new Api(server.url).get('/health/ready')).body).toEqual({
      status: 'ready',
      database: 'up',
      redis: 'not configured',
    });
    expect(server.output()).toContain('answered 503: database unreachable');
    expect(server.output()).not.toMatch(/"statusCode":500|internal_error/);
  }, 120_000);
});
