/**
 * Two server processes on the same MariaDB schema and Redis behave as one: a user token
 * from one works on the other, an agent announced to one is a peer on the other, a node
 * revoked on one is refused by the other, and both sign with keys the other accepts.
 */
import { randomBytes } from 'node:crypto';
import { TRACKER_SESSION, trackerSessionHeader } from '@shoal/contract';
import { Redis } from 'ioredis';
import { Api } from '../harness/api-client.js';
import { createMysqlSchema } from '../harness/databases.js';
import { metadata, nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

const REDIS_URL = process.env.SHOAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('two server instances on MariaDB and Redis', () => {
  const prefix = `shoal-test-${randomBytes(4).toString('hex')}:`;
  let schema: { url: string; drop: () => Promise<void> };
  let a: RunningServer;
  let b: RunningServer;
  let adminA: Api;
  let adminB: Api;

  beforeAll(async () => {
    schema = await createMysqlSchema();
    const env = { REDIS_URL, SHOAL_REDIS_PREFIX: prefix };
    a = await startServer({ databaseUrl: schema.url, env });
    b = await startServer({ databaseUrl: schema.url, env });
    adminA = await new Api(a.url).login('admin', ADMIN_PASSWORD);
    adminB = new Api(b.url, adminA.token);
  });

  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    await schema?.drop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  async function enrollOn(server: RunningServer, admin: Api, name: string) {
    const token = await admin.post('/api/admin/enrollment-tokens', { role: 'client' });
    const key = nodeKey();
    const res = await new Api(server.url).post('/api/nodes/enroll', {
      token: token.body.token,
      name,
      role: 'client',
      addresses: [`127.0.0.1:${7000 + Math.floor(Math.random() * 1000)}`],
      publicKey: key.publicJwk,
    });
    expect(res.status).toBe(201);
    return { nodeId: res.body.nodeId as string, api: new Api(server.url).asNode(res.body.credential, key.privateKey) };
  }

  it('reports Redis in readiness', async () => {
    const ready = await new Api(a.url).get('/health/ready');
    expect(ready.body).toEqual({ status: 'ready', database: 'up', redis: 'up' });
  });

  it('accepts a user token issued by the other instance', async () => {
    expect((await adminB.get('/api/auth/me')).body.username).toBe('admin');
  });

  it('returns a node that announced to one instance as a peer from the other', async () => {
    const resourceId = (await adminA.post('/api/admin/resources', metadata('shared-swarm', [100_000]))).body.id;
    const first = await enrollOn(a, adminA, 'on-a');
    const second = await enrollOn(b, adminB, 'on-b');
    const announce = { resourceId, event: 'started', left: 100_000, uploaded: 0, downloaded: 0 };
    expect((await first.api.post('/api/tracker/announce', announce)).status).toBe(200);
    const res = await second.api.post('/api/tracker/announce', announce);
    expect(res.status).toBe(200);
    expect(res.body.peers.map((p: { nodeId: string }) => p.nodeId)).toEqual([first.nodeId]);
    // The credential issued by A is valid on B (keys shared through the database).
    const crossed = first.api.at(b.url);
    expect((await crossed.post('/api/tracker/announce', { ...announce, event: 'update' })).status).toBe(200);
  });

  it('refuses on one instance a node request already answered by the other (a replay)', async () => {
    const node = await enrollOn(a, adminA, 'replayed');
    const beat = { holdings: [], uploadedBytes: 0, downloadedBytes: 0 };
    const captured = await node.api.authHeaders('POST', '/api/nodes/heartbeat');
    const once = await new Api(a.url).request('POST', '/api/nodes/heartbeat', beat, captured);
    expect(once.status).toBe(200);
    const replayed = await new Api(b.url).request('POST', '/api/nodes/heartbeat', beat, captured);
    expect(replayed.status).toBe(401);
    expect(replayed.body.message).toMatch(/already used/);
    expect((await node.api.at(b.url).post('/api/nodes/heartbeat', beat)).status).toBe(200);
  });

  it('refuses on one instance, within 3 s, a user disabled on the other', async () => {
    expect(
      (await adminA.post('/api/admin/users', { username: 'far', password: 'far-password-1', role: 'member' })).status,
    ).toBe(201);
    const onA = await new Api(a.url).login('far', 'far-password-1');
    const onB = onA.at(b.url);
    // B has just read the account as active (and remembers it for ACTIVE_USER_TTL_MS).
    expect((await onB.get('/api/auth/me')).status).toBe(200);
    const id = (await adminA.get('/api/admin/users?q=far')).body.items[0].id;
    expect((await adminA.patch(`/api/admin/users/${id}`, { disabled: true })).status).toBe(200);
    const disabledAt = Date.now();
    expect((await onA.get('/api/auth/me')).status).toBe(401);
    let status = 200;
    while (status === 200 && Date.now() - disabledAt < 10_000) {
      status = (await onB.get('/api/auth/me')).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(401);
    // 3 s, plus the time one request takes on a loaded machine.
    expect(Date.now() - disabledAt).toBeLessThan(3_000 + 1_000);
  });

  it('refuses on one instance, from the next request, an API token revoked on the other', async () => {
    const made = await adminA.post('/api/me/tokens', { name: 'roaming', scopes: ['catalog:read'], expiresInDays: 1 });
    expect(made.status).toBe(201);
    const onB = new Api(b.url, made.body.token);
    expect((await onB.get('/api/resources')).status).toBe(200);
    expect((await adminA.delete(`/api/me/tokens/${made.body.id}`)).status).toBe(204);
    // No cache of tokens anywhere: B reads the (deleted) row on this very request.
    expect((await onB.get('/api/resources')).status).toBe(401);
  });

  it('ends on one instance the sessions of a user who signed out everywhere on the other', async () => {
    expect(
      (await adminA.post('/api/admin/users', { username: 'roam', password: 'roam-password-1', role: 'member' })).status,
    ).toBe(201);
    const onA = await new Api(a.url).login('roam', 'roam-password-1');
    const onB = (await new Api(a.url).login('roam', 'roam-password-1')).at(b.url);
    expect((await onB.get('/api/auth/me')).status).toBe(200);
    expect((await onA.post('/api/me/sign-out-everywhere')).status).toBe(204);
    expect((await onA.get('/api/auth/me')).status).toBe(401);
    // B may trust the account it read for ACTIVE_USER_TTL_MS (3 s); bounded wait, not a timing claim.
    const until = Date.now() + 10_000;
    let status = 200;
    while (status === 200 && Date.now() < until) {
      status = (await onB.get('/api/auth/me')).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(401);
  });

  it('accepts on one instance a tracker session granted by the other', async () => {
    const node = await enrollOn(a, adminA, 'session-roamer');
    const body = {
      resourceId: '00000000-0000-4000-8000-000000000000',
      event: 'update',
      left: 0,
      uploaded: 0,
      downloaded: 0,
    };
    const resource = await adminA.post('/api/admin/resources', metadata('roaming'));
    const announce = { ...body, resourceId: resource.body.id };
    const granted = await node.api.post('/api/tracker/announce', announce);
    expect(granted.status).toBe(200);
    const res = await new Api(b.url).request('POST', '/api/tracker/announce', announce, {
      authorization: `DPoP ${node.api.token}`,
      [TRACKER_SESSION.header]: trackerSessionHeader(granted.body.session),
    });
    expect(res.status).toBe(200);
  });

  it('refuses on one instance a node revoked on the other', async () => {
    const node = await enrollOn(a, adminA, 'to-revoke');
    const onA = node.api;
    const onB = node.api.at(b.url);
    const beat = { holdings: [], uploadedBytes: 0, downloadedBytes: 0 };
    expect((await onA.post('/api/nodes/heartbeat', beat)).status).toBe(200);
    expect((await adminB.post(`/api/admin/nodes/${node.nodeId}/revoke`)).status).toBe(200);
    expect((await onB.post('/api/nodes/heartbeat', beat)).status).toBe(401);
    // A learns of it from the database within its refresh interval (3 s).
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (
        await onA.post('/api/tracker/announce', {
          resourceId: '00000000-0000-4000-8000-000000000000',
          event: 'update',
          left: 0,
          uploaded: 0,
          downloaded: 0,
        })
      ).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(401);
  });

  it('signs with a key rotated on the other instance', async () => {
    const rotated = await adminA.post('/api/admin/signing-keys/rotate');
    expect(rotated.status).toBe(200);
    // B still signs with the old key until it re-reads keys (every 30 s); A must accept
    // either, and a credential signed on A with the new key must pass on B (unknown kid
    // makes B reload at once).
    const node = await enrollOn(b, adminB, 'after-rotation');
    const fromA = await enrollOn(a, adminA, 'signed-on-a');
    const kidOfA = JSON.parse(Buffer.from(fromA.api.token!.split('.')[0], 'base64url').toString()).kid;
    expect(kidOfA).toBe(rotated.body.kid);
    expect(
      (
        await fromA.api.at(b.url).post('/api/nodes/heartbeat', {
          holdings: [],
          uploadedBytes: 0,
          downloadedBytes: 0,
        })
      ).status,
    ).toBe(200);
    const onA = node.api.at(a.url);
    expect(
      (await onA.post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 0, downloadedBytes: 0 })).status,
    ).toBe(200);
  });
});
