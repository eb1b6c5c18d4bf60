/**
 * A node credential leaks (every peer and tracker sees it), so it must be worth nothing
 * without the node's key. An attacker holding a real seed's harvested credential tries to
 * rewrite the seed's advertised addresses, fake its upload counters, announce as it and
 * fetch manifests as its owner; every attempt is refused and the seed's record stays as
 * the real seed made it. The real seed (`shoal serve`) keeps heartbeating throughout.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { DATABASES } from '../harness/databases.js';
import { metadata, nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

const HEARTBEAT = '/api/nodes/heartbeat';
const ANNOUNCE = '/api/tracker/announce';
const PROOF_REQUIRED = 'node requests need a proof of possession (DPoP)';

describe.each(DATABASES)('node credentials need the node key (%s)', (db) => {
  let server: RunningServer;
  let admin: Api;
  let serve: ShoalProcess;
  let resourceId: string;
  let nodeId: string;
  let credential: string;
  let key: KeyObject;
  const seed = new Agent(`proof-seed-${db}`);
  const forged = {
    holdings: [],
    uploadedBytes: 999e9,
    downloadedBytes: 0,
    uploadedToPeersBytes: 999e9,
    addresses: ['203.0.113.66:7070'],
  };
  const announce = () => ({
    resourceId,
    event: 'started',
    left: 0,
    uploaded: 999e9,
    downloaded: 0,
    addresses: ['203.0.113.66:7070'],
  });

  async function seedRecord() {
    const res = await admin.get(`/api/admin/nodes/${nodeId}`);
    expect(res.status).toBe(200);
    return res.body as { addresses: string[]; uploadedBytes: number; lastHeartbeatAt: string | null };
  }

  async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    // Debug logging turns the tracker's fast path off; these announces must meet it.
    server = await startServer({ db, env: { SHOAL_LOG_LEVEL: 'log' } });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    resourceId = (await admin.post('/api/admin/resources', metadata('proof-kit'))).body.id;
    await seed.enroll(admin, { role: 'seed', name: `seed-${db}`, listen: '127.0.0.1:0' });
    const config = JSON.parse(readFileSync(join(seed.dataDir, 'node.json'), 'utf8'));
    nodeId = config.nodeId;
    credential = config.credential;
    key = createPrivateKey(readFileSync(join(seed.dataDir, 'node-key.pem'), 'utf8'));
    serve = seed.spawn(['serve', '--json']);
    await until(async () => ((await seedRecord()).lastHeartbeatAt ? true : undefined));
  }, 120_000);

  afterAll(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.done;
    await server?.destroy();
  });

  it('refuses the harvested credential as a bearer token, and with a proof from another key', async () => {
    const before = await seedRecord();
    const statsBefore = (await admin.get('/api/admin/stats')).body;
    const bearer = new Api(server.url, credential);
    const ownKey = new Api(server.url).asNode(credential, nodeKey().privateKey);
    for (const attacker of [bearer, ownKey]) {
      const beat = await attacker.post(HEARTBEAT, forged);
      expect(beat.status).toBe(401);
      const ann = await attacker.post(ANNOUNCE, announce());
      expect(ann.status).toBe(401);
      const manifest = await attacker.get(`/api/nodes/manifests/${resourceId}`);
      expect(manifest.status).toBe(401);
    }
    expect((await bearer.post(HEARTBEAT, forged)).body.message).toBe(PROOF_REQUIRED);
    expect((await ownKey.post(HEARTBEAT, forged)).body.message).toMatch(/not signed by the key of this credential/);
    // The credential under the DPoP scheme without a proof is no better.
    const noProof = await new Api(server.url).request('POST', HEARTBEAT, forged, {
      authorization: `DPoP ${credential}`,
    });
    expect(noProof.status).toBe(401);
    expect(noProof.body.message).toBe(PROOF_REQUIRED);

    const after = await seedRecord();
    expect(after.addresses).toEqual(before.addresses);
    expect(after.addresses).not.toContain('203.0.113.66:7070');
    expect(after.uploadedBytes).toBe(before.uploadedBytes);
    const statsAfter = (await admin.get('/api/admin/stats')).body;
    const served = (s: { traffic: { seedBytes: number; peerBytes: number }[] }) =>
      s.traffic.reduce((a, t) => a + t.seedBytes + t.peerBytes, 0);
    expect(served(statsAfter)).toBe(served(statsBefore));
    // Nobody was announced at the attacker's address.
    const honest = new Api(server.url).asNode(credential, key);
    const peers = await honest.post(ANNOUNCE, { ...announce(), event: 'update', uploaded: 0, addresses: [] });
    expect(peers.status).toBe(200);
  });

  it('refuses a captured request replayed, and a proof used for another path', async () => {
    const honest = new Api(server.url).asNode(credential, key);
    const captured = await honest.authHeaders('POST', ANNOUNCE);
    const body = { ...announce(), event: 'update', uploaded: 0, addresses: undefined };
    const first = await new Api(server.url).request('POST', ANNOUNCE, body, captured);
    expect(first.status).toBe(200);
    const replay = await new Api(server.url).request('POST', ANNOUNCE, body, captured);
    expect(replay.status).toBe(401);
    expect(replay.body.message).toMatch(/already used/);
    // Through the Nest route as well (the fast path answers only the exact path).
    const replayViaNest = await new Api(server.url).request('POST', `${ANNOUNCE}?via=nest`, body, captured);
    expect(replayViaNest.status).toBe(401);

    const forHeartbeat = await honest.authHeaders('POST', HEARTBEAT);
    const moved = await new Api(server.url).request('POST', ANNOUNCE, body, forHeartbeat);
    expect(moved.status).toBe(401);
    expect(moved.body.message).toMatch(/another request/);
    const asGet = await honest.authHeaders('GET', `/api/nodes/manifests/${resourceId}`);
    expect((await new Api(server.url).request('POST', HEARTBEAT, forged, asGet)).status).toBe(401);
    expect((await seedRecord()).addresses).not.toContain('203.0.113.66:7070');
  });

  it('lets the real node, with its key, fetch its manifest and keep heartbeating', async () => {
    const honest = new Api(server.url).asNode(credential, key);
    const manifest = await honest.get(`/api/nodes/manifests/${resourceId}`);
    expect(manifest.status).toBe(200);
    const seen = (await seedRecord()).lastHeartbeatAt!;
    // `shoal serve` heartbeats every 30 s with its own proofs; the next one must be accepted.
    const next = await until(async () => {
      const at = (await seedRecord()).lastHeartbeatAt;
      return at && Date.parse(at) > Date.parse(seen) ? at : undefined;
    });
    expect(Date.parse(next)).toBeGreaterThan(Date.parse(seen));
    expect(serve.child.exitCode).toBeNull();
  }, 90_000);
});
