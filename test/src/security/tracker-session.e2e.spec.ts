/**
 * Tracker sessions (contract/src/tracker-session.ts): an announce with a DPoP proof is
 * answered with a session grant, and the node's next announces carry an HMAC of its key
 * instead of a fresh signature. Attacked as a thief would: a captured session header
 * replayed, a session moved to another route or to another node's credential, a
 * made-up key, and a node revoked while its session still runs — refused at once.
 */
import { TRACKER_SESSION, trackerSessionHeader, type TrackerSessionGrant } from '@shoal/contract';
import { Api } from '../harness/api-client.js';
import { metadata, nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

const ANNOUNCE = '/api/tracker/announce';

describe('tracker sessions', () => {
  let server: RunningServer;
  let anon: Api;
  let admin: Api;
  let resourceId: string;

  beforeAll(async () => {
    // At the production log level, so announces meet the tracker's fast path as in production.
    server = await startServer({ env: { SHOAL_LOG_LEVEL: 'log' } });
    anon = new Api(server.url);
    admin = await anon.login('admin', ADMIN_PASSWORD);
    resourceId = (await admin.post('/api/admin/resources', metadata('sessions', [100_000]))).body.id;
  });

  afterAll(async () => {
    await server?.destroy();
  });

  async function enroll() {
    const token = await admin.post('/api/admin/enrollment-tokens', { role: 'client' });
    const key = nodeKey();
    const res = await anon.post('/api/nodes/enroll', {
      token: token.body.token,
      name: `client-${Math.random().toString(36).slice(2, 8)}`,
      role: 'client',
      addresses: ['127.0.0.1:7999'],
      publicKey: key.publicJwk,
    });
    expect(res.status).toBe(201);
    const credential = res.body.credential as string;
    return { nodeId: res.body.nodeId as string, credential, api: anon.asNode(credential, key.privateKey) };
  }

  const announce = (event = 'update') => ({ resourceId, event, left: 1000, uploaded: 0, downloaded: 0 });

  /** One announce as the agent sends it with a session: the credential and a session header, no proof. */
  function withSession(
    credential: string,
    grant: TrackerSessionGrant,
    path = ANNOUNCE,
    header = trackerSessionHeader(grant),
  ) {
    return anon.request('POST', path, announce(), {
      authorization: `DPoP ${credential}`,
      [TRACKER_SESSION.header]: header,
    });
  }

  async function granted(node: Awaited<ReturnType<typeof enroll>>): Promise<TrackerSessionGrant> {
    const res = await node.api.post(ANNOUNCE, announce('started'));
    expect(res.status).toBe(200);
    const grant = res.body.session as TrackerSessionGrant;
    expect(Buffer.from(grant.key, 'base64url')).toHaveLength(TRACKER_SESSION.keyBytes);
    expect(grant.expiresAt - Date.now() / 1000).toBeGreaterThan(TRACKER_SESSION.lifetimeSeconds - 10);
    expect(grant.expiresAt - Date.now() / 1000).toBeLessThanOrEqual(TRACKER_SESSION.lifetimeSeconds + 1);
    return grant;
  }

  it('grants a session to a proven announce and accepts it for the next announces, through both paths', async () => {
    const node = await enroll();
    const grant = await granted(node);
    for (const path of [ANNOUNCE, `${ANNOUNCE}?via=nest`]) {
      const res = await withSession(node.credential, grant, path);
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body.peers)).toBe(true);
      // A session is renewed with a proof only: an announce it authenticated grants none.
      expect(res.body.session).toBeUndefined();
    }
  });

  it('refuses a captured session header replayed, on either path', async () => {
    const node = await enroll();
    const header = trackerSessionHeader(await granted(node));
    expect((await withSession(node.credential, await granted(node), ANNOUNCE, header)).status).toBe(200);
    for (const path of [ANNOUNCE, `${ANNOUNCE}?via=nest`]) {
      const replay = await withSession(node.credential, await granted(node), path, header);
      expect(replay.status).toBe(401);
      expect(replay.body.message).toMatch(/already used/);
    }
  });

  it('refuses a session anywhere but an announce, with another node credential, or with a made-up key', async () => {
    const node = await enroll();
    const other = await enroll();
    const grant = await granted(node);
    const heartbeat = await anon.request(
      'POST',
      '/api/nodes/heartbeat',
      { holdings: [], uploadedBytes: 0, downloadedBytes: 0 },
      {
        authorization: `DPoP ${node.credential}`,
        [TRACKER_SESSION.header]: trackerSessionHeader(grant),
      },
    );
    expect(heartbeat.status).toBe(401);
    expect(heartbeat.body.message).toMatch(/announce only/);
    const manifest = await anon.request('GET', `/api/nodes/manifests/${resourceId}`, undefined, {
      authorization: `DPoP ${node.credential}`,
      [TRACKER_SESSION.header]: trackerSessionHeader(grant),
    });
    expect(manifest.status).toBe(401);
    // Node A's session presented with node B's (leaked) credential.
    const moved = await withSession(other.credential, grant);
    expect(moved.status).toBe(401);
    expect(moved.body.message).toMatch(/tracker session refused/);
    const madeUp = { key: Buffer.alloc(32, 7).toString('base64url'), expiresAt: grant.expiresAt };
    expect((await withSession(node.credential, madeUp)).status).toBe(401);
  });

  it('refuses a revoked node at once, though its session has minutes left', async () => {
    const node = await enroll();
    const grant = await granted(node);
    expect((await withSession(node.credential, grant)).status).toBe(200);
    expect((await admin.post(`/api/admin/nodes/${node.nodeId}/revoke`)).status).toBe(200);
    for (const path of [ANNOUNCE, `${ANNOUNCE}?via=nest`]) {
      const res = await withSession(node.credential, grant, path);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('node_revoked');
    }
  });
});
