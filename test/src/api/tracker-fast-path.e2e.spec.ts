/**
 * The tracker's fast path (server/src/tracker/tracker.fast-path.ts) against the Nest route
 * it stands in front of, on a real server process (at the production log level: the fast
 * path is off when debug logging is on). A query string makes an announce miss the fast path (it only takes the exact
 * path), so `?via=nest` gives the Nest route's answer to the same request.
 */
import { Api, type ApiResponse } from '../harness/api-client.js';
import { metadata, nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

const ANNOUNCE = '/api/tracker/announce';
const NEST = '/api/tracker/announce?via=nest';

describe('tracker fast path', () => {
  let server: RunningServer;
  let anon: Api;
  let admin: Api;
  let resourceId: string;

  beforeAll(async () => {
    server = await startServer({ env: { SHOAL_LOG_LEVEL: 'log' } });
    anon = new Api(server.url);
    admin = await anon.login('admin', ADMIN_PASSWORD);
    resourceId = (await admin.post('/api/admin/resources', metadata('fast-path', [100_000]))).body.id;
  });

  afterAll(async () => {
    await server?.destroy();
  });

  async function enroll(site: string, address: string) {
    const token = await admin.post('/api/admin/enrollment-tokens', { role: 'client', site });
    const key = nodeKey();
    const res = await anon.post('/api/nodes/enroll', {
      token: token.body.token,
      name: `client-${Math.random().toString(36).slice(2, 8)}`,
      role: 'client',
      site,
      addresses: [address],
      publicKey: key.publicJwk,
    });
    expect(res.status).toBe(201);
    return { nodeId: res.body.nodeId as string, api: anon.asNode(res.body.credential as string, key.privateKey) };
  }

  const announce = (event = 'update') => ({ resourceId, event, left: 1000, uploaded: 0, downloaded: 0 });

  /** Counters from /metrics that an answered announce moves. */
  async function counters() {
    const text = (await anon.get('/metrics')).text;
    const value = (re: RegExp) => Number(text.match(re)?.[1] ?? 0);
    return {
      ok: value(
        /^shoal_http_request_duration_seconds_count\{method="POST",route="\/api\/tracker\/announce",status="200"\} (\d+)/m,
      ),
      updates: value(/^shoal_tracker_announces_total\{event="update"\} (\d+)/m),
    };
  }

  const withoutVaryingHeaders = (res: ApiResponse) => {
    const headers = Object.fromEntries(res.headers);
    for (const name of ['date', 'x-request-id', 'content-length']) delete headers[name];
    return headers;
  };

  it('answers a steady announce as the Nest route does: status, body, headers, metrics', async () => {
    const me = await enroll('fra', '127.0.0.1:7201');
    const near = await enroll('fra', '127.0.0.1:7202');
    const far = await enroll('nyc', '127.0.0.1:7203');
    for (const n of [me, near, far]) expect((await n.api.post(ANNOUNCE, announce('started'))).status).toBe(200);

    const before = await counters();
    const fast = await me.api.request('POST', ANNOUNCE, announce(), { 'x-request-id': 'fast-path-test-1' });
    const nest = await me.api.request('POST', NEST, announce(), { 'x-request-id': 'fast-path-test-2' });
    expect(fast.status).toBe(200);
    expect(nest.status).toBe(200);
    // API answers carry no ETag on either path (the server hashes no JSON body for one).
    expect(nest.headers.get('etag')).toBeNull();
    expect(withoutVaryingHeaders(fast)).toEqual(withoutVaryingHeaders(nest));
    expect(fast.headers.get('x-request-id')).toBe('fast-path-test-1');
    expect(Number(fast.headers.get('content-length'))).toBe(Buffer.byteLength(fast.text));

    // same answer: same-site peer first, never the caller, same entries
    // (both announces carried a proof, so both answers grant a tracker session)
    expect(Object.keys(fast.body)).toEqual(['intervalSeconds', 'peers', 'session']);
    expect(Object.keys(nest.body)).toEqual(Object.keys(fast.body));
    expect(Object.keys(fast.body.session)).toEqual(['key', 'expiresAt']);
    expect(Object.keys(nest.body.session)).toEqual(['key', 'expiresAt']);
    expect(fast.body.intervalSeconds).toBe(nest.body.intervalSeconds);
    expect(fast.body.peers.map((p: { nodeId: string }) => p.nodeId)).toEqual([near.nodeId, far.nodeId]);
    expect(fast.body.peers).toEqual(nest.body.peers);
    expect(fast.body.peers[0]).toEqual({
      nodeId: near.nodeId,
      name: expect.any(String),
      role: 'client',
      site: 'fra',
      addresses: ['127.0.0.1:7202'],
      complete: false,
    });

    const after = await counters();
    expect(after.ok - before.ok).toBe(2);
    expect(after.updates - before.updates).toBe(2);
  });

  it('hands every refusal to the Nest route: the same 400, 401 and 404 answers', async () => {
    const node = await enroll('fra', '127.0.0.1:7204');
    expect((await node.api.post(ANNOUNCE, announce('started'))).status).toBe(200); // credential now cached
    const member = anon.withToken(admin.token);
    const cases: [string, Api, unknown, Record<string, string>, number, string][] = [
      ['negative left', node.api, { ...announce(), left: -1 }, {}, 400, 'validation_failed'],
      ['no resource id', node.api, { ...announce(), resourceId: undefined }, {}, 400, 'validation_failed'],
      ['bad address', node.api, { ...announce(), addresses: ['nowhere'] }, {}, 400, 'validation_failed'],
      ['numWant too big', node.api, { ...announce(), numWant: 51 }, {}, 400, 'validation_failed'],
      ['malformed JSON', node.api, '{"resourceId":', {}, 400, 'bad_request'],
      ['not JSON', node.api, 'left=1', { 'content-type': 'text/plain' }, 400, 'validation_failed'],
      [
        'unknown resource',
        node.api,
        { ...announce(), resourceId: '4b0c7a52-8d1e-4c3f-9a6b-2f5e8d7c1a90' },
        {},
        404,
        'resource_not_found',
      ],
      ['no credential', anon, announce(), {}, 401, 'unauthorized'],
      ['a user token', member, announce(), {}, 401, 'unauthorized'],
      ['a forged credential', anon.withToken('x.y.z'), announce(), {}, 401, 'unauthorized'],
      ['the cached credential as a bearer token', anon.withToken(node.api.token), announce(), {}, 401, 'unauthorized'],
    ];
    for (const [name, api, body, headers, status, code] of cases) {
      const fast = await api.request('POST', ANNOUNCE, body, headers);
      const nest = await api.request('POST', NEST, body, headers);
      expect({ name, status: fast.status, body: fast.body }).toEqual({ name, status: nest.status, body: nest.body });
      expect({ name, status: fast.status, code: fast.body.code }).toEqual({ name, status, code });
      expect({ name, headers: withoutVaryingHeaders(fast) }).toEqual({ name, headers: withoutVaryingHeaders(nest) });
    }
  });

  it('refuses a node revoked after its credential was verified and cached', async () => {
    const node = await enroll('fra', '127.0.0.1:7205');
    expect((await node.api.post(ANNOUNCE, announce('started'))).status).toBe(200);
    expect((await node.api.post(ANNOUNCE, announce())).status).toBe(200);
    expect((await admin.post(`/api/admin/nodes/${node.nodeId}/revoke`)).status).toBe(200);
    const res = await node.api.post(ANNOUNCE, announce());
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('node_revoked');
  });

  it('forgets a stopped node and answers a stop with no peers', async () => {
    const a = await enroll('fra', '127.0.0.1:7206');
    const b = await enroll('fra', '127.0.0.1:7207');
    for (const n of [a, b]) expect((await n.api.post(ANNOUNCE, announce('started'))).status).toBe(200);
    const stopped = await a.api.post(ANNOUNCE, announce('stopped'));
    expect(stopped.status).toBe(200);
    expect(stopped.body.peers).toEqual([]);
    const peers = (await b.api.post(ANNOUNCE, { ...announce(), numWant: 50 })).body.peers;
    expect(peers.map((p: { nodeId: string }) => p.nodeId)).not.toContain(a.nodeId);
    expect(peers.map((p: { nodeId: string }) => p.nodeId)).not.toContain(b.nodeId);
  });
});
