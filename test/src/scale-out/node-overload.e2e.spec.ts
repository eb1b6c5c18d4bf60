/**
 * A server shedding load: with SHOAL_MAX_INFLIGHT_NODE_REQUESTS heartbeats and
 * announces in progress, the next one is answered 429 with Retry-After at once (the
 * error body every API error has), whichever path it takes; other calls go on, and once
 * the one in progress is answered node requests are taken again.
 *
 * A request is held "in progress" without any timing: it is sent with Expect:
 * 100-continue, so the server's 100 Continue says it has been taken, and its body is
 * only sent when the test says so.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { startServer, type RunningServer } from '../harness/server.js';

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function answerOf(req: ClientRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
  });
}

function post(server: RunningServer, path: string, body = '{}'): Promise<Answer> {
  const req = request(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const answer = answerOf(req);
  req.end(body);
  return answer;
}

/** A node request the server has taken (its 100 Continue came) whose body waits for `finish`. */
async function heldRequest(server: RunningServer, path: string): Promise<{ finish: () => Promise<Answer> }> {
  const body = '{}';
  const req = request(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': body.length, expect: '100-continue' },
  });
  const answer = answerOf(req);
  await new Promise<void>((resolve, reject) => {
    req.once('continue', resolve);
    answer.then((a) => reject(new Error(`answered ${a.status} before its body was sent: ${a.body}`)), reject);
    req.flushHeaders();
  });
  return {
    finish: () => {
      req.end(body);
      return answer;
    },
  };
}

describe('a server shedding node requests', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ env: { SHOAL_MAX_INFLIGHT_NODE_REQUESTS: '1' } });
  });
  afterAll(() => server?.destroy());

  it.each(['/api/nodes/heartbeat', '/api/tracker/announce'])(
    'answers a node request beyond the limit 429 with Retry-After, and takes them again once one finishes (%s)',
    async (path) => {
      const held = await heldRequest(server, '/api/nodes/heartbeat');

      for (const shed of [path, `${path.toUpperCase()}/?x=1`]) {
        const busy = await post(server, shed);
        expect(busy.status).toBe(429);
        expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(JSON.parse(busy.body)).toEqual({
          statusCode: 429,
          code: 'too_many_requests',
          message: expect.stringContaining('server busy'),
        });
        // Answered with the headers every answer carries.
        expect(busy.headers['x-shoal-server']).toMatch(/api=\d+/);
        expect(busy.headers['x-content-type-options']).toBe('nosniff');
      }
      // Only node requests are limited.
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect((await post(server, '/api/auth/login', '{"username":"x","password":"y"}')).status).toBe(401);

      // The held one is answered as usual (no credential: 401), and frees its place.
      expect((await held.finish()).status).toBe(401);
      const after = await post(server, path);
      expect(after.status).toBe(401);
      expect(JSON.parse(after.body)).toMatchObject({ code: 'unauthorized' });

      expect(server.output()).not.toMatch(/ERROR|Error:/);
    },
  );

  it('counts what it shed for Prometheus', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^shoal_node_requests_shed_total 4$/m);
  });
});
