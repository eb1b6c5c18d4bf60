/**
 * "Send to my machine" over the HTTP API, on SQLite and on MariaDB: who may send what to
 * which node, the heartbeat side (assignments, progress, cancellation), the audit log.
 * Nodes here are driven by hand through the API; the agent's side is in
 * swarm/send-to-machine.e2e.spec.ts.
 */
import { DOWNLOAD_REQUEST_LIMITS } from '@shoal/contract';
import { Api } from '../harness/api-client.js';
import { DATABASES } from '../harness/databases.js';
import { metadata, nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

describe.each(DATABASES)('download requests on %s', (db) => {
  let server: RunningServer;
  let anon: Api;
  let admin: Api;
  let mia: Api;
  let ben: Api;

  beforeAll(async () => {
    server = await startServer({ db });
    anon = new Api(server.url);
    admin = await anon.login('admin', ADMIN_PASSWORD);
    for (const username of ['mia', 'ben'])
      expect(
        (await admin.post('/api/admin/users', { username, password: 'member-password-1', role: 'member' })).status,
      ).toBe(201);
    mia = await anon.login('mia', 'member-password-1');
    ben = await anon.login('ben', 'member-password-1');
  });

  afterAll(async () => {
    await server?.destroy();
  });

  /** A client node enrolled by `user` with their own login, as `shoal get` on a laptop does. */
  async function laptop(user: Api, name: string) {
    const key = nodeKey();
    const res = await user.post('/api/nodes/enroll', {
      name,
      role: 'client',
      addresses: ['127.0.0.1:7070'],
      publicKey: key.publicJwk,
    });
    expect(res.status).toBe(201);
    const api = anon.asNode(res.body.credential, key.privateKey);
    const beat = async (downloads?: unknown[]) =>
      (
        await api.post('/api/nodes/heartbeat', {
          holdings: [],
          uploadedBytes: 0,
          downloadedBytes: 0,
          ...(downloads ? { downloads } : {}),
        })
      ).body as { downloads: { requestId: string; resourceId: string }[]; downloadsCancelled: string[] };
    return { nodeId: res.body.nodeId as string, api, beat };
  }

  const resource = async (name: string) =>
    (await admin.post('/api/admin/resources', metadata(name, [50_000]))).body.id as string;

  it('lists a user their own machines only, with their online state', async () => {
    const a = await laptop(mia, 'mia-laptop');
    await laptop(ben, 'ben-laptop');
    expect((await mia.get('/api/me/nodes')).body).toEqual([
      expect.objectContaining({ id: a.nodeId, name: 'mia-laptop', role: 'client', online: false }),
    ]);
    await a.beat();
    expect((await mia.get('/api/me/nodes')).body[0].online).toBe(true);
    expect((await anon.get('/api/me/nodes')).status).toBe(401);
  });

  it('lets a member send only to their own machine, an admin to anyone’s, and audits each request', async () => {
    const id = await resource('send-me');
    const mine = await laptop(mia, 'mia-desk');
    const bens = await laptop(ben, 'ben-desk');

    const refused = await mia.post('/api/me/download-requests', { resourceId: id, nodeId: bens.nodeId });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('node_not_yours');
    const unknown = '00000000-0000-4000-8000-00000000000f';
    expect((await mia.post('/api/me/download-requests', { resourceId: id, nodeId: unknown })).body.code).toBe(
      'node_not_found',
    );
    expect((await mia.post('/api/me/download-requests', { resourceId: unknown, nodeId: mine.nodeId })).status).toBe(
      404,
    );
    expect((await mia.post('/api/me/download-requests', { resourceId: 'x', nodeId: mine.nodeId })).status).toBe(400);

    const sent = await mia.post('/api/me/download-requests', { resourceId: id, nodeId: mine.nodeId });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      resourceId: id,
      resourceName: 'send-me',
      nodeId: mine.nodeId,
      nodeName: 'mia-desk',
      requestedBy: 'mia',
      state: 'queued',
      doneBytes: 0,
      totalBytes: 50_000,
      error: null,
    });
    const again = await mia.post('/api/me/download-requests', { resourceId: id, nodeId: mine.nodeId });
    expect([again.status, again.body.code]).toEqual([409, 'already_requested']);

    const byAdmin = await admin.post('/api/me/download-requests', { resourceId: id, nodeId: bens.nodeId });
    expect(byAdmin.status).toBe(201);
    // Ben sees what was sent to his machine; Mia does not see it, nor may she cancel it.
    expect((await ben.get('/api/me/download-requests')).body.items.map((r: { id: string }) => r.id)).toEqual([
      byAdmin.body.id,
    ]);
    expect((await mia.delete(`/api/me/download-requests/${byAdmin.body.id}`)).status).toBe(404);
    expect((await mia.get(`/api/me/download-requests/${byAdmin.body.id}`)).status).toBe(404);

    const audit = (await admin.get('/api/admin/audit?size=50')).body.items.filter(
      (e: { action: string }) => e.action === 'download-request.create',
    );
    expect(
      audit.map((e: { username: string; resourceId: string; nodeId: string }) => [e.username, e.resourceId, e.nodeId]),
    ).toEqual([
      ['admin', id, bens.nodeId],
      ['mia', id, mine.nodeId],
    ]);
  });

  it('hands the node its request at heartbeat, records its progress, and tells it to stop once cancelled', async () => {
    const id = await resource('progress-me');
    const node = await laptop(mia, 'mia-tower');
    const other = await laptop(mia, 'mia-spare');
    const req = (await mia.post('/api/me/download-requests', { resourceId: id, nodeId: node.nodeId })).body;

    expect((await node.beat()).downloads).toEqual([{ requestId: req.id, resourceId: id }]);
    expect((await other.beat()).downloads).toEqual([]);
    const manifest = await node.api.get(`/api/nodes/download-requests/${req.id}/manifest`);
    expect(manifest.status).toBe(200);
    expect(manifest.body.resourceId).toBe(id);
    expect((await other.api.get(`/api/nodes/download-requests/${req.id}/manifest`)).status).toBe(404);

    // Another node's report changes nothing; a size beyond the resource's is clamped.
    await other.beat([{ requestId: req.id, state: 'failed', doneBytes: 0, totalBytes: 0, error: 'no' }]);
    await node.beat([{ requestId: req.id, state: 'running', doneBytes: 20_000, totalBytes: 50_000 }]);
    expect((await mia.get(`/api/me/download-requests/${req.id}`)).body).toMatchObject({
      state: 'running',
      doneBytes: 20_000,
      error: null,
    });
    await node.beat([{ requestId: req.id, state: 'running', doneBytes: 90_000, totalBytes: 90_000 }]);
    expect((await mia.get(`/api/me/download-requests/${req.id}`)).body.doneBytes).toBe(50_000);
    const bad = await node.api.post('/api/nodes/heartbeat', {
      holdings: [],
      uploadedBytes: 0,
      downloadedBytes: 0,
      downloads: [{ requestId: req.id, state: 'queued', doneBytes: -1, totalBytes: 1 }],
    });
    expect(bad.status).toBe(400);

    const cancelled = await mia.delete(`/api/me/download-requests/${req.id}`);
    expect([cancelled.status, cancelled.body.state]).toEqual([200, 'cancelled']);
    expect(await node.beat()).toMatchObject({ downloads: [], downloadsCancelled: [req.id] });
    expect((await node.api.get(`/api/nodes/download-requests/${req.id}/manifest`)).status).toBe(404);
    // A late report does not reopen it.
    await node.beat([{ requestId: req.id, state: 'done', doneBytes: 50_000, totalBytes: 50_000 }]);
    expect((await mia.get(`/api/me/download-requests/${req.id}`)).body.state).toBe('cancelled');
    expect((await admin.get('/api/admin/audit?size=50')).body.items[0]).toMatchObject({
      action: 'download-request.cancel',
      username: 'mia',
      resourceId: id,
    });
  });

  it('records a failure with its message, finishes a done one, and pages the list newest first', async () => {
    const node = await laptop(ben, 'ben-tower');
    const ids = [await resource('page-a'), await resource('page-b'), await resource('page-c')];
    const reqs = [];
    for (const id of ids)
      reqs.push((await ben.post('/api/me/download-requests', { resourceId: id, nodeId: node.nodeId })).body);
    await node.beat([
      { requestId: reqs[0].id, state: 'failed', doneBytes: 0, totalBytes: 0, error: 'x'.repeat(500) },
      { requestId: reqs[1].id, state: 'done', doneBytes: 1, totalBytes: 1 },
    ]);
    const all = (await ben.get('/api/me/download-requests?size=200')).body;
    const byId = new Map(all.items.map((r: { id: string }) => [r.id, r]));
    expect(byId.get(reqs[0].id)).toMatchObject({ state: 'failed', error: 'x'.repeat(500) });
    expect(byId.get(reqs[1].id)).toMatchObject({ state: 'done', doneBytes: 50_000 });
    expect((await node.beat()).downloads.map((d) => d.requestId)).toEqual([reqs[2].id]);

    const first = (await ben.get('/api/me/download-requests?page=1&size=2')).body;
    const second = (await ben.get('/api/me/download-requests?page=2&size=2')).body;
    expect(first.total).toBe(all.total);
    expect([...first.items, ...second.items].map((r: { id: string }) => r.id)).toEqual(
      all.items.slice(0, 4).map((r: { id: string }) => r.id),
    );
    expect((await ben.get('/api/me/download-requests?size=500')).status).toBe(400);
  });

  it(`bounds a user's open requests at ${DOWNLOAD_REQUEST_LIMITS.maxOpenPerUser}, and a heartbeat's at ${DOWNLOAD_REQUEST_LIMITS.maxPerHeartbeat}`, async () => {
    const carol = 'carol';
    await admin.post('/api/admin/users', { username: carol, password: 'member-password-1', role: 'member' });
    const user = await anon.login(carol, 'member-password-1');
    const node = await laptop(user, 'carol-laptop');
    for (let i = 0; i < DOWNLOAD_REQUEST_LIMITS.maxOpenPerUser; i++) {
      const res = await user.post('/api/me/download-requests', {
        resourceId: await resource(`bulk-${i}`),
        nodeId: node.nodeId,
      });
      expect(res.status).toBe(201);
    }
    const over = await user.post('/api/me/download-requests', {
      resourceId: await resource('bulk-over'),
      nodeId: node.nodeId,
    });
    expect([over.status, over.body.code]).toEqual([409, 'too_many_requests_open']);
    expect((await node.beat()).downloads).toHaveLength(DOWNLOAD_REQUEST_LIMITS.maxPerHeartbeat);
  });
});
