import { API_VERSION, parseVersionHeader } from '@shoal/contract';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AGENT_VERSION } from '../version.js';
import { callApi } from './api-client.js';

/** A real HTTP server on loopback that answers every call as `answer` says, and keeps what it was sent. */
async function serverAnswering(answer: { status: number; headers: Record<string, string>; body: string }) {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

describe('the agent talking to servers of other versions', () => {
  it('names its release and API version on every call', async () => {
    const s = await serverAnswering({
      status: 200,
      headers: { 'x-shoal-server': `9.9.9; api=${API_VERSION}` },
      body: '{}',
    });
    try {
      await callApi(s.url, '/api/version');
      expect(parseVersionHeader(s.seen[0]!['x-shoal-agent'])).toEqual({ release: AGENT_VERSION, api: API_VERSION });
    } finally {
      await s.close();
    }
  });

  it('refuses a server too old for it with one sentence naming both versions and what to do', async () => {
    const s = await serverAnswering({ status: 200, headers: { 'x-shoal-server': '0.0.1; api=0' }, body: '{}' });
    try {
      await expect(callApi(s.url, '/api/nodes/heartbeat', { body: {} })).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(
          new RegExp(
            `^this server \\(0\\.0\\.1, API 0\\) is older than this agent \\(${AGENT_VERSION.replace(/\./g, '\\.')}, API ${API_VERSION}\\).*upgrade the server, or use the agent it hands out at ${s.url}/downloads/shoal$`,
          ),
        ),
      });
    } finally {
      await s.close();
    }
  });

  it("passes on the server's sentence when the server finds the agent too old", async () => {
    const message =
      'this agent (0.1.0, API 1) is older than this server (3.0.0, API 3) works with (API 2 or later): get the matching agent at http://x/downloads/shoal';
    const s = await serverAnswering({
      status: 426,
      headers: { 'x-shoal-server': '3.0.0; api=3' },
      body: JSON.stringify({ statusCode: 426, code: 'agent_too_old', message }),
    });
    try {
      await expect(callApi(s.url, '/api/auth/login', { body: {} })).rejects.toMatchObject({ exitCode: 2, message });
    } finally {
      await s.close();
    }
  });

  it('works with a server that names no version (older than versioning) or a newer one', async () => {
    const answers: Record<string, string>[] = [{}, { 'x-shoal-server': `7.0.0; api=${API_VERSION + 5}` }];
    for (const headers of answers) {
      const s = await serverAnswering({ status: 200, headers, body: '{"ok":true}' });
      try {
        await expect(callApi(s.url, '/api/version')).resolves.toEqual({ ok: true });
      } finally {
        await s.close();
      }
    }
  });
});

describe('what the server refuses', () => {
  it('a field the server finds invalid is a usage error (exit code 2), each field said once', async () => {
    const s = await serverAnswering({
      status: 400,
      headers: {},
      body: JSON.stringify({
        statusCode: 400,
        code: 'validation_failed',
        message: 'name: name must be 1-100 letters',
        errors: { name: 'name must be 1-100 letters' },
      }),
    });
    try {
      await expect(callApi(s.url, '/api/nodes/enroll', { body: {} })).rejects.toMatchObject({
        exitCode: 2,
        message: 'POST /api/nodes/enroll failed: 400 validation_failed name: name must be 1-100 letters',
      });
    } finally {
      await s.close();
    }
  });

  it('an answer whose message does not name its fields still gets them, and other failures stay exit code 1', async () => {
    const s = await serverAnswering({
      status: 409,
      headers: {},
      body: JSON.stringify({ statusCode: 409, code: 'conflict', message: 'taken', errors: { name: 'in use' } }),
    });
    try {
      await expect(callApi(s.url, '/api/admin/resources', { body: {} })).rejects.toMatchObject({
        exitCode: 1,
        message: 'POST /api/admin/resources failed: 409 conflict taken (name: in use)',
      });
    } finally {
      await s.close();
    }
  });
});

describe('a server that says "not now"', () => {
  it.each([429, 503])(
    'hands the Retry-After of a %i to the caller, so its retry loop waits that long',
    async (status) => {
      const s = await serverAnswering({
        status,
        headers: { 'retry-after': '12' },
        body: JSON.stringify({ statusCode: status, code: 'too_many_requests', message: 'server busy, retry later' }),
      });
      try {
        await expect(callApi(s.url, '/api/nodes/heartbeat', { body: {} })).rejects.toMatchObject({
          retryAfterMs: 12_000,
          message: expect.stringContaining('server busy, retry later'),
        });
      } finally {
        await s.close();
      }
    },
  );

  it('ignores a Retry-After on other failures', async () => {
    const s = await serverAnswering({ status: 500, headers: { 'retry-after': '12' }, body: '{}' });
    try {
      await expect(callApi(s.url, '/api/nodes/heartbeat', { body: {} })).rejects.toMatchObject({ retryAfterMs: null });
    } finally {
      await s.close();
    }
  });
});
