/**
 * API tokens for automation on the real server and agent: made once, used as a bearer
 * token, scoped, never stronger than their owner's role today, refused at once when
 * revoked or expired, kept only as a hash, audited; and `shoal login --token-stdin`
 * followed by `shoal publish`.
 */
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { DATABASES } from '../harness/databases.js';
import { metadata } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

const EXIT_UNAUTHORIZED = 4;
const TOKEN_SHAPE = /^shoal_pat_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/;

describe.each(DATABASES)('API tokens (%s)', (db) => {
  let server: RunningServer;
  let anon: Api;
  let admin: Api;
  let member: Api;

  beforeAll(async () => {
    server = await startServer({ db });
    anon = new Api(server.url);
    admin = await anon.login('admin', ADMIN_PASSWORD);
    expect(
      (await admin.post('/api/admin/users', { username: 'mona', password: 'mona-password-1', role: 'member' })).status,
    ).toBe(201);
    member = await anon.login('mona', 'mona-password-1');
  });
  afterAll(async () => server?.destroy());

  /** Runs SQL on the server's own database, as an operator (or an attacker with a copy of it) would. */
  async function sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
    if (server.databaseUrl) {
      const conn = await mysql.createConnection(server.databaseUrl);
      try {
        const [rows] = await conn.query(query, params);
        return (Array.isArray(rows) ? rows : []) as T[];
      } finally {
        await conn.end();
      }
    }
    const file = new Database(join(server.dataDir, 'shoal.sqlite'));
    try {
      file.pragma('busy_timeout = 5000');
      const stmt = file.prepare(query);
      return (stmt.reader ? stmt.all(...params) : (stmt.run(...params), [])) as T[];
    } finally {
      file.close();
    }
  }

  async function newToken(owner: Api, scopes: string[], name = `t-${randomBytes(3).toString('hex')}`) {
    const res = await owner.post('/api/me/tokens', { name, scopes, expiresInDays: 30 });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, token: res.body.token as string, api: anon.withToken(res.body.token) };
  }

  async function audit(): Promise<{ action: string; username: string | null; detail: string | null }[]> {
    const res = await admin.get('/api/admin/audit?size=200');
    expect(res.status).toBe(200);
    return res.body.items;
  }

  it('is shown once, works as a bearer token, shows its last use, and is refused at once when revoked', async () => {
    const created = await admin.post('/api/me/tokens', {
      name: 'nightly build',
      scopes: ['catalog:read'],
      expiresInDays: 7,
    });
    expect(created.status).toBe(201);
    const { id, token, name, scopes, expiresAt, lastUsedAt } = created.body;
    expect(token).toMatch(TOKEN_SHAPE);
    expect(TOKEN_SHAPE.exec(token)![1]).toBe(id);
    expect([name, scopes, lastUsedAt]).toEqual(['nightly build', ['catalog:read'], null]);
    const days = (Date.parse(expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    const bot = anon.withToken(token);
    expect((await bot.get('/api/resources')).status).toBe(200);
    const me = await bot.get('/api/auth/me');
    expect([me.status, me.body.username]).toEqual([200, 'admin']);

    const listed = await admin.get('/api/me/tokens');
    expect(listed.status).toBe(200);
    const mine = (listed.body as { id: string; lastUsedAt: string | null; token?: string }[]).find((t) => t.id === id)!;
    expect(mine.lastUsedAt).not.toBeNull();
    expect(Date.parse(mine.lastUsedAt!)).toBeGreaterThan(Date.parse(created.body.createdAt) - 1000);
    // The secret is never given out again.
    expect(mine.token).toBeUndefined();
    expect(listed.text).not.toContain(TOKEN_SHAPE.exec(token)![2]);

    expect((await admin.delete(`/api/me/tokens/${id}`)).status).toBe(204);
    const after = await bot.get('/api/resources');
    expect(after.status).toBe(401);
    expect((await admin.get('/api/me/tokens')).body.map((t: { id: string }) => t.id)).not.toContain(id);
    expect((await admin.delete(`/api/me/tokens/${id}`)).status).toBe(404);
  });

  it('is stored only as the SHA-256 of its secret', async () => {
    const { id, token } = await newToken(admin, ['catalog:read']);
    const secret = TOKEN_SHAPE.exec(token)![2]!;
    const rows = await sql<Record<string, unknown>>('SELECT * FROM api_tokens WHERE id = ?', [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(token);
  });

  it('is refused once expired, and a forged or malformed one is refused', async () => {
    const { id, token, api } = await newToken(admin, ['catalog:read']);
    expect((await api.get('/api/resources')).status).toBe(200);
    // The shortest lifetime is a day; the server compares with its own clock, so this is what a day passing looks like.
    await sql("UPDATE api_tokens SET expiresAt = '2001-01-01 00:00:00.000' WHERE id = ?", [id]);
    const expired = await api.get('/api/resources');
    expect(expired.status).toBe(401);
    expect(expired.body.message).toContain('expired');

    const { token: other } = await newToken(admin, ['catalog:read']);
    const forged = `${other.slice(0, -43)}${randomBytes(32).toString('base64url')}`;
    expect((await anon.withToken(forged).get('/api/resources')).status).toBe(401);
    // Another token's id with this token's secret.
    const swapped = `shoal_pat_${TOKEN_SHAPE.exec(other)![1]}_${TOKEN_SHAPE.exec(token)![2]}`;
    expect((await anon.withToken(swapped).get('/api/resources')).status).toBe(401);
    expect((await anon.withToken('shoal_pat_not-a-token').get('/api/resources')).status).toBe(401);
  });

  it('does only what its scopes allow, and can never make, list or revoke tokens', async () => {
    const { id, api: reader } = await newToken(admin, ['catalog:read']);
    const publish = await reader.post('/api/admin/resources', metadata('reader-publish'));
    expect(publish.status).toBe(403);
    expect(publish.body.code).toBe('insufficient_scope');
    expect((await reader.get('/api/admin/users')).status).toBe(403);
    expect((await reader.get('/api/admin/audit')).status).toBe(403);

    for (const [method, path, body] of [
      ['POST', '/api/me/tokens', { name: 'escalate', scopes: ['admin'], expiresInDays: 1 }],
      ['GET', '/api/me/tokens', undefined],
      ['DELETE', `/api/me/tokens/${id}`, undefined],
      ['POST', '/api/auth/refresh', {}],
    ] as const) {
      const res = await reader.request(method, path, body);
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'session_required']);
    }

    const { api: publisher } = await newToken(admin, ['publish']);
    expect((await publisher.post('/api/admin/resources', metadata('publisher-publish'))).status).toBe(201);
    expect((await publisher.get('/api/resources')).status).toBe(200);
    expect((await publisher.get('/api/admin/users')).status).toBe(403);

    const { api: adminToken } = await newToken(admin, ['admin']);
    expect((await adminToken.get('/api/admin/users')).status).toBe(200);
    expect((await adminToken.post('/api/admin/resources', metadata('admin-token-publish'))).status).toBe(201);
  });

  it('refuses a member a token beyond their role, and a bad request with a clear error', async () => {
    for (const scopes of [['admin'], ['publish'], ['catalog:read', 'admin']]) {
      const res = await member.post('/api/me/tokens', { name: 'too much', scopes, expiresInDays: 1 });
      expect([scopes, res.status, res.body.code]).toEqual([scopes, 403, 'scope_not_allowed']);
    }
    const { api } = await newToken(member, ['catalog:read']);
    expect((await api.get('/api/resources')).status).toBe(200);
    expect((await api.get('/api/admin/users')).status).toBe(403);

    const bad = async (body: Record<string, unknown>) => {
      const res = await member.post('/api/me/tokens', {
        name: 'x',
        scopes: ['catalog:read'],
        expiresInDays: 1,
        ...body,
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      return Object.keys(res.body.errors);
    };
    expect(await bad({ expiresInDays: 366 })).toEqual(['expiresInDays']);
    expect(await bad({ expiresInDays: 0 })).toEqual(['expiresInDays']);
    expect(await bad({ scopes: ['root'] })).toEqual(['scopes']);
    expect(await bad({ scopes: [] })).toEqual(['scopes']);
    expect(await bad({ name: '   ' })).toEqual(['name']);
    expect(await bad({ name: 'n'.repeat(65) })).toEqual(['name']);
  });

  it("loses its owner's admin power the moment the owner is demoted, and all power when disabled", async () => {
    const ops = await admin.post('/api/admin/users', { username: 'ops', password: 'ops-password-1', role: 'admin' });
    const opsLogin = await anon.login('ops', 'ops-password-1');
    const { api } = await newToken(opsLogin, ['admin']);
    expect((await api.get('/api/admin/users')).status).toBe(200);

    expect((await admin.patch(`/api/admin/users/${ops.body.id}`, { role: 'member' })).status).toBe(200);
    expect((await api.get('/api/admin/users')).status).toBe(403);
    expect((await api.post('/api/admin/resources', metadata('demoted-publish'))).status).toBe(403);
    // What a member may do it still does.
    expect((await api.get('/api/resources')).status).toBe(200);

    expect((await admin.patch(`/api/admin/users/${ops.body.id}`, { disabled: true })).status).toBe(200);
    expect((await api.get('/api/resources')).status).toBe(401);
  });

  it('caps the tokens one user holds', async () => {
    await admin.post('/api/admin/users', { username: 'hoarder', password: 'hoarder-password-1', role: 'member' });
    const hoarder = await anon.login('hoarder', 'hoarder-password-1');
    for (let i = 0; i < 40; i++) await newToken(hoarder, ['catalog:read'], `token ${i}`);
    // Twenty at once for the last ten places: counted one after the other, so exactly ten get one.
    const racing = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        hoarder.post('/api/me/tokens', { name: `racer ${i}`, scopes: ['catalog:read'], expiresInDays: 1 }),
      ),
    );
    expect(racing.filter((r) => r.status === 201)).toHaveLength(10);
    expect(racing.filter((r) => r.status === 409)).toHaveLength(10);
    const over = await hoarder.post('/api/me/tokens', { name: 'one more', scopes: ['catalog:read'], expiresInDays: 1 });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('token_limit_reached');
    expect((await hoarder.get('/api/me/tokens')).body).toHaveLength(50);
  });

  it("audits a token's creation, what it published, and its revocation, never its secret", async () => {
    const { id, token, api } = await newToken(admin, ['publish'], 'release pipeline');
    const published = await api.post('/api/admin/resources', metadata('audited-by-token'));
    expect(published.status).toBe(201);
    expect((await admin.delete(`/api/me/tokens/${id}`)).status).toBe(204);
    const entries = await audit();
    const about = entries.filter((e) => e.detail?.includes(`token:${id}`));
    expect(about.map((e) => [e.action, e.username])).toEqual([
      ['api-token.revoke', 'admin'],
      ['resource.publish', 'admin'],
      ['api-token.create', 'admin'],
    ]);
    expect(about[1]!.detail).toContain(`via token:${id}`);
    expect(JSON.stringify(entries)).not.toContain(TOKEN_SHAPE.exec(token)![2]);
    // The request log names the token by id, never by its secret.
    expect(server.output()).toContain(`"apiToken":"${id}"`);
    expect(server.output()).not.toContain(TOKEN_SHAPE.exec(token)![2]);
  });

  it('logs the agent in with --token-stdin, publishes with it, and stops when it is revoked', async () => {
    const agent = new Agent('token-bot');
    await agent.enroll(admin, { role: 'seed', name: 'token-bot' });
    const { id, token } = await newToken(admin, ['publish'], 'agent');
    const login = await agent.run(['login', '--server', server.url, '--token-stdin'], `${token}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('logged in as admin (admin)');
    const content = join(agent.dataDir, 'content');
    mkdirSync(content);
    writeFileSync(join(content, 'build.bin'), randomBytes(50_000));
    const resourceId = await agent.publish(content, ['--name', 'built by token']);
    const detail = await admin.get(`/api/resources/${resourceId}`);
    expect([detail.status, detail.body.name]).toEqual([200, 'built by token']);
    const entry = (await audit()).find((e) => e.action === 'resource.publish' && e.detail?.includes(`token:${id}`));
    expect(entry).toBeDefined();

    // Nothing but a token is taken, and the agent says what it expected.
    const junk = await new Agent('token-junk').run(['login', '--server', server.url, '--token-stdin'], 'hunter2\n');
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('no API token');

    // A machine is not enrolled with an API token: its node would outlive the token.
    const laptop = new Agent('token-laptop');
    expect((await laptop.run(['login', '--server', server.url, '--token-stdin'], token)).code).toBe(0);
    const enroll = await laptop.run([
      'enroll',
      '--server',
      server.url,
      '--name',
      'token-laptop',
      '--listen',
      '127.0.0.1:0',
    ]);
    expect(enroll.code).toBe(2);
    expect(enroll.stderr).toContain('an API token cannot enroll this machine');

    expect((await admin.delete(`/api/me/tokens/${id}`)).status).toBe(204);
    const refused = await agent.run(['publish', content, '--seed-time', '0']);
    expect(refused.code).toBe(EXIT_UNAUTHORIZED);
    expect(refused.stderr).toContain('401');
  });
});
