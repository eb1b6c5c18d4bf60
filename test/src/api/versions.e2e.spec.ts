/**
 * Agents and the server tell each other their versions: every answer names the server's
 * release and API version, GET /api/version says it too, and an agent too old for the
 * server is refused with one sentence naming both versions and where to get the right one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_VERSION } from '@shoal/contract';
import { Agent } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, REPO_ROOT, startServer, type RunningServer } from '../harness/server.js';

const SERVER_RELEASE = JSON.parse(readFileSync(join(REPO_ROOT, 'server/package.json'), 'utf8')).version as string;

describe('versions between agents and the server', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ env: { SHOAL_BUILTIN_SEED: 'off' } });
  });

  afterAll(async () => {
    await server?.destroy();
  });

  const login = (agentHeader?: string) =>
    fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(agentHeader ? { 'x-shoal-agent': agentHeader } : {}) },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });

  it('names its release, commit and API version, on /api/version and on every answer', async () => {
    const res = await new Api(server.url).get('/api/version');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      version: SERVER_RELEASE,
      commit: expect.stringMatching(/^([0-9a-f]{7,40}|unknown)$/),
      api: API_VERSION,
      oldestAgentApi: expect.any(Number),
    });
    expect(res.headers.get('x-shoal-server')).toBe(`${SERVER_RELEASE}; api=${API_VERSION}`);
    expect((await login()).headers.get('x-shoal-server')).toBe(`${SERVER_RELEASE}; api=${API_VERSION}`);
  });

  it('refuses an agent too old for it at login, saying what to upgrade, and serves newer ones', async () => {
    const old = await login('0.0.1; api=0');
    expect(old.status).toBe(426);
    const body = (await old.json()) as { code: string; message: string };
    expect(body.code).toBe('agent_too_old');
    expect(body.message).toBe(
      `this agent (0.0.1, API 0) is older than this server (${SERVER_RELEASE}, API ${API_VERSION}) works with ` +
        `(API 1 or later): get the matching agent at ${server.url}/downloads/shoal`,
    );
    // The newer side decides what it still supports: a newer agent is not refused here.
    expect((await login(`9.0.0; api=${API_VERSION + 1}`)).status).toBe(200);
    expect((await login(`0.1.0; api=${API_VERSION}`)).status).toBe(200);
  });

  it('lets the real agent log in (it names its version on every call)', async () => {
    const agent = new Agent('versioned');
    await agent.login(server.url, 'admin', ADMIN_PASSWORD);
  });
});
