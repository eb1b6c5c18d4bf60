/**
 * What a user's account means for their machines, on the real server: disabling a user
 * stops their nodes, a refused enrollment does not burn the one-time token, a ticket binds
 * only to the requester's own node, and one user cannot enroll machines without bound.
 */
import { Api } from '../harness/api-client.js';
import { DATABASES } from '../harness/databases.js';
import { metadata, nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

describe.each(DATABASES)('user and node lifecycle (%s)', (db) => {
  let server: RunningServer;
  let admin: Api;
  let anon: Api;
  let resourceId: string;
  const users = new Map<string, { id: string; api: Api }>();

  beforeAll(async () => {
    server = await startServer({ db, env: { SHOAL_MAX_NODES_PER_USER: '3' } });
    anon = new Api(server.url);
    admin = await anon.login('admin', ADMIN_PASSWORD);
    for (const name of ['ann', 'bob', 'cat']) {
      const created = await admin.post('/api/admin/users', {
        username: name,
        password: `${name}-password-1`,
        role: 'member',
      });
      expect(created.status).toBe(201);
      users.set(name, { id: created.body.id, api: await new Api(server.url).login(name, `${name}-password-1`) });
    }
    const published = await admin.post('/api/admin/resources', metadata('lifecycle'));
    expect(published.status).toBe(201);
    resourceId = published.body.id;
  });
  afterAll(async () => server?.destroy());

  async function enrollClient(user: string, name: string) {
    const key = nodeKey();
    const res = await users.get(user)!.api.post('/api/nodes/enroll', {
      name,
      role: 'client',
      addresses: ['127.0.0.1:7100'],
      publicKey: key.publicJwk,
    });
    return { res, node: res.status === 201 ? anon.asNode(res.body.credential, key.privateKey) : null };
  }
  const beat = { holdings: [], uploadedBytes: 0, downloadedBytes: 0 };

  it("stops a disabled user's machines at their next heartbeat, and keeps them stopped", async () => {
    const { node, res } = await enrollClient('cat', 'cat-laptop');
    expect(res.status).toBe(201);
    expect((await node!.post('/api/nodes/heartbeat', beat)).status).toBeLessThan(300);
    expect((await admin.patch(`/api/admin/users/${users.get('cat')!.id}`, { disabled: true })).status).toBe(200);
    const refused = await node!.post('/api/nodes/heartbeat', beat);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('node_revoked');
    // Other nodes learn it, so peers stop serving it too.
    const { node: other } = await enrollClient('ann', 'ann-watcher');
    const seen = await other!.post('/api/nodes/heartbeat', beat);
    expect(seen.body.revokedNodeIds).toContain(res.body.nodeId);
    // Re-enabling the user does not bring the revoked machine back silently.
    expect((await admin.patch(`/api/admin/users/${users.get('cat')!.id}`, { disabled: false })).status).toBe(200);
    expect((await node!.post('/api/nodes/heartbeat', beat)).status).toBe(401);
  });

  it('leaves an enrollment token usable when the enrollment is refused', async () => {
    const token = await admin.post('/api/admin/enrollment-tokens', { role: 'client' });
    const key = nodeKey();
    const body = { token: token.body.token, name: 'kiosk', addresses: ['127.0.0.1:7101'], publicKey: key.publicJwk };
    const wrongRole = await anon.post('/api/nodes/enroll', { ...body, role: 'seed' });
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.body.code).toBe('role_not_allowed');
    const right = await anon.post('/api/nodes/enroll', { ...body, role: 'client' });
    expect(right.status).toBe(201);
    // Still one-time once it has been used.
    expect((await anon.post('/api/nodes/enroll', { ...body, role: 'client' })).status).toBe(401);
  });

  it("binds a ticket only to the requester's own node", async () => {
    const { res: bobs } = await enrollClient('bob', 'bob-laptop');
    const { res: anns } = await enrollClient('ann', 'ann-laptop');
    const bob = users.get('bob')!.api;
    const own = await bob.get(`/api/resources/${resourceId}/manifest?node=${bobs.body.nodeId}`);
    expect(own.status).toBe(200);
    const stolen = await bob.get(`/api/resources/${resourceId}/manifest?node=${anns.body.nodeId}`);
    expect(stolen.status).toBe(403);
    expect(stolen.body.code).toBe('node_not_yours');
  });

  it('caps the machines one user enrolls with their login, with a clear error', async () => {
    // ann has two machines from the tests above; the cap is 3.
    expect((await enrollClient('ann', 'ann-3')).res.status).toBe(201);
    const over = await enrollClient('ann', 'ann-4');
    expect(over.res.status).toBe(409);
    expect(over.res.body.code).toBe('node_limit_reached');
    // Another user is not affected.
    expect((await enrollClient('bob', 'bob-2')).res.status).toBe(201);
  });
});
