/**
 * Enrollment tokens as ops hand them out, against the real server and the real
 * `shoal enroll`: an expired token is refused with a message saying so, a token used for
 * a role it does not allow stays good for the role it does, and of several machines
 * racing to enroll with one token exactly one gets in. A reusable token enrolls a fleet up
 * to its cap, each machine its own node, and of machines racing for its last uses exactly
 * as many get in as there are uses left; revoked, it enrolls no one more.
 */
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { join } from 'node:path';
import { Agent } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { DATABASES } from '../harness/databases.js';
import { nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

const EXIT_UNAUTHORIZED = 4;

describe.each(DATABASES)('enrollment tokens (%s)', (db) => {
  let server: RunningServer;
  let admin: Api;
  let anon: Api;

  beforeAll(async () => {
    server = await startServer({ db });
    anon = new Api(server.url);
    admin = await anon.login('admin', ADMIN_PASSWORD);
  });
  afterAll(async () => server?.destroy());

  async function newToken(role: 'seed' | 'client', ttlSeconds = 3600): Promise<string> {
    const res = await admin.post('/api/admin/enrollment-tokens', { role, ttlSeconds });
    expect(res.status).toBe(201);
    return res.body.token;
  }

  /** Enrolls one seed straight through the API, with a key of its own. */
  function enrollSeed(token: string, name: string, port: number) {
    return anon.post('/api/nodes/enroll', {
      token,
      name,
      role: 'seed',
      addresses: [`127.0.0.1:${port}`],
      publicKey: nodeKey().publicJwk,
    });
  }

  async function tokenListed(id: string) {
    const res = await admin.get('/api/admin/enrollment-tokens?size=200');
    expect(res.status).toBe(200);
    return (res.body.items as { id: string; uses: number; maxUses: number; state: string }[]).find((t) => t.id === id);
  }

  /**
   * Moves every enrollment token's expiry into the past. The shortest lifetime an admin
   * can give a token is a minute; the server compares it with its own clock, so this is
   * what that minute passing looks like to it.
   */
  async function expireAllTokens(): Promise<void> {
    const sql = "UPDATE enrollment_tokens SET expiresAt = '2001-01-01 00:00:00.000' WHERE usedAt IS NULL";
    if (server.databaseUrl) {
      const conn = await mysql.createConnection(server.databaseUrl);
      await conn.query(sql);
      await conn.end();
    } else {
      const file = new Database(join(server.dataDir, 'shoal.sqlite'));
      file.pragma('busy_timeout = 5000');
      file.exec(sql);
      file.close();
    }
  }

  function enrollArgs(token: string, role: string, name: string): string[] {
    return [
      'enroll',
      '--server',
      server.url,
      '--token',
      token,
      '--role',
      role,
      '--name',
      name,
      '--listen',
      '127.0.0.1:0',
    ];
  }

  async function nodeNames(): Promise<string[]> {
    const res = await admin.get('/api/admin/nodes?size=200');
    expect(res.status).toBe(200);
    return (res.body.items as { name: string }[]).map((n) => n.name);
  }

  it('refuses a token asked for a role it does not allow, and the same token then enrolls the role it does', async () => {
    const token = await newToken('client');
    const machine = new Agent('kiosk');
    const refused = await machine.run(enrollArgs(token, 'seed', 'kiosk-as-seed'));
    expect(refused.code).toBe(EXIT_UNAUTHORIZED);
    expect(refused.stderr).toContain('this token enrolls role client');
    expect(await nodeNames()).not.toContain('kiosk-as-seed');

    const enrolled = await machine.run(enrollArgs(token, 'client', 'kiosk'));
    expect(enrolled.code).toBe(0);
    const nodes = (await admin.get('/api/admin/nodes?size=200')).body.items as { name: string; role: string }[];
    expect(nodes.find((n) => n.name === 'kiosk')?.role).toBe('client');
    // Used now: a second machine with the same token is turned away.
    const again = await new Agent('kiosk-2').run(enrollArgs(token, 'client', 'kiosk-2'));
    expect(again.code).toBe(EXIT_UNAUTHORIZED);
    expect(again.stderr).toContain('enrollment token already used');
  });

  it("refuses a member's own login for a seed server, and keeps their client enrollment open", async () => {
    expect(
      (await admin.post('/api/admin/users', { username: 'mia', password: 'mia-password-1', role: 'member' })).status,
    ).toBe(201);
    const mia = await anon.login('mia', 'mia-password-1');
    const key = nodeKey();
    const body = { name: 'mia-box', addresses: ['127.0.0.1:7300'], publicKey: key.publicJwk };
    const seed = await mia.post('/api/nodes/enroll', { ...body, role: 'seed' });
    expect(seed.status).toBe(403);
    expect(seed.body.code).toBe('role_not_allowed');
    expect(seed.body.message).toBe('a seed server needs an enrollment token from an admin');
    expect(await nodeNames()).not.toContain('mia-box');
    expect((await mia.post('/api/nodes/enroll', { ...body, role: 'client' })).status).toBe(201);
  });

  it('refuses an expired token, telling the machine it expired', async () => {
    const token = await newToken('seed', 60);
    await expireAllTokens();
    const key = nodeKey();
    const res = await anon.post('/api/nodes/enroll', {
      token,
      name: 'late-seed',
      role: 'seed',
      addresses: ['127.0.0.1:7301'],
      publicKey: key.publicJwk,
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'enrollment_token_invalid', errors: { token: 'expired' } });

    const machine = new Agent('late');
    const cli = await machine.run(enrollArgs(token, 'seed', 'late-seed'));
    expect(cli.code).toBe(EXIT_UNAUTHORIZED);
    expect(cli.stderr).toContain('enrollment token expired');
    expect(await nodeNames()).not.toContain('late-seed');
    // A fresh token from the admin enrolls the same machine.
    expect((await machine.run(enrollArgs(await newToken('seed'), 'seed', 'late-seed'))).code).toBe(0);
  });

  it('lets exactly one of several enrollments racing with one token in', async () => {
    const token = await newToken('seed');
    // On MariaDB the eight really overlap and only the claim's conditional UPDATE tells
    // them apart; SQLite's single writer puts them one after the other.
    const racers = Array.from({ length: 8 }, (_, i) => ({ name: `racer-${i}`, key: nodeKey() }));
    const answers = await Promise.all(
      racers.map((r, i) =>
        anon.post('/api/nodes/enroll', {
          token,
          name: r.name,
          role: 'seed',
          addresses: [`127.0.0.1:${7400 + i}`],
          publicKey: r.key.publicJwk,
        }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([201, 401, 401, 401, 401, 401, 401, 401]);
    for (const lost of answers.filter((r) => r.status === 401)) {
      expect(lost.body).toMatchObject({ code: 'enrollment_token_invalid', errors: { token: 'already used' } });
    }
    const won = answers.findIndex((r) => r.status === 201);
    expect((await nodeNames()).filter((n) => n.startsWith('racer-'))).toEqual([racers[won].name]);
    const winner = anon.asNode(answers[won].body.credential, racers[won].key.privateKey);
    const beat = await winner.post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 0, downloadedBytes: 0 });
    expect(beat.status).toBe(200);
    const after = await anon.post('/api/nodes/enroll', {
      token,
      name: 'too-late',
      role: 'seed',
      addresses: ['127.0.0.1:7499'],
      publicKey: nodeKey().publicJwk,
    });
    expect(after.status).toBe(401);
  });

  it('enrolls a fleet with one reusable token up to its cap: racing for the last uses, exactly that many get in', async () => {
    const created = await admin.post('/api/admin/enrollment-tokens', { role: 'seed', maxUses: 5, ttlSeconds: 3600 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ maxUses: 5, uses: 0, state: 'active' });
    const { token, id } = created.body as { token: string; id: string };

    // The real agent, twice: two machines, two nodes.
    for (const name of ['fleet-0', 'fleet-1']) {
      expect((await new Agent(name).run(enrollArgs(token, 'seed', name))).code).toBe(0);
    }
    expect(await tokenListed(id)).toMatchObject({ uses: 2, maxUses: 5, state: 'active' });

    // Three uses left, eight machines at once: on MariaDB they really overlap, and only the
    // claim's conditional UPDATE (uses < maxUses) keeps the count.
    const racers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => enrollSeed(token, `fleet-race-${i}`, 7500 + i)),
    );
    expect(racers.map((r) => r.status).sort()).toEqual([201, 201, 201, 401, 401, 401, 401, 401]);
    for (const lost of racers.filter((r) => r.status === 401)) {
      expect(lost.body).toMatchObject({ code: 'enrollment_token_invalid', errors: { token: 'used up (all 5 uses)' } });
    }
    const ids = new Set(racers.filter((r) => r.status === 201).map((r) => r.body.nodeId as string));
    expect(ids.size).toBe(3);
    expect((await nodeNames()).filter((n) => n.startsWith('fleet-'))).toHaveLength(5);
    expect(await tokenListed(id)).toMatchObject({ uses: 5, maxUses: 5, state: 'used-up' });

    const late = await new Agent('fleet-late').run(enrollArgs(token, 'seed', 'fleet-late'));
    expect(late.code).toBe(EXIT_UNAUTHORIZED);
    expect(late.stderr).toContain('enrollment token used up (all 5 uses)');

    // The audit log has the creation and each use, naming the token and the node.
    const audit = (await admin.get('/api/admin/audit?size=200')).body.items as {
      action: string;
      nodeId: string | null;
      detail: string | null;
    }[];
    expect(
      audit.filter((e) => e.action === 'enrollment-token.create' && e.detail?.startsWith(`token:${id} `)),
    ).toHaveLength(1);
    const uses = audit.filter((e) => e.action === 'enrollment-token.use' && e.detail?.startsWith(`token:${id} `));
    expect(uses.map((e) => e.detail).sort()).toEqual([1, 2, 3, 4, 5].map((n) => `token:${id} use ${n} of 5`));
    for (const nodeId of ids) expect(uses.some((e) => e.nodeId === nodeId)).toBe(true);
  });

  it('stops a revoked reusable token enrolling anyone, and keeps the nodes it enrolled', async () => {
    const created = await admin.post('/api/admin/enrollment-tokens', { role: 'seed', maxUses: 100 });
    const { token, id } = created.body as { token: string; id: string };
    const key = nodeKey();
    const first = await anon.post('/api/nodes/enroll', {
      token,
      name: 'kept-seed',
      role: 'seed',
      addresses: ['127.0.0.1:7600'],
      publicKey: key.publicJwk,
    });
    expect(first.status).toBe(201);

    expect((await admin.post(`/api/admin/enrollment-tokens/${id}/revoke`, {})).body).toMatchObject({
      state: 'revoked',
      uses: 1,
      maxUses: 100,
    });
    const after = await enrollSeed(token, 'after-revoke', 7601);
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ errors: { token: 'revoked' } });
    const kept = anon.asNode(first.body.credential, key.privateKey);
    expect(
      (await kept.post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 0, downloadedBytes: 0 })).status,
    ).toBe(200);
    const nodes = (await admin.get('/api/admin/nodes?size=200')).body.items as { name: string; revoked: boolean }[];
    expect(nodes.find((n) => n.name === 'kept-seed')?.revoked).toBe(false);
    const audit = (await admin.get('/api/admin/audit?size=200')).body.items as { action: string; detail: string }[];
    expect(
      audit.some((e) => e.action === 'enrollment-token.revoke' && e.detail === `token:${id} after 1 of 100 uses`),
    ).toBe(true);
  });

  it('refuses a cap or a lifetime out of bounds, and keeps tokens to admins', async () => {
    for (const body of [
      { maxUses: 0 },
      { maxUses: 10_001 },
      { maxUses: 2.5 },
      { maxUses: '5' },
      { ttlSeconds: 30 * 24 * 3600 + 1 },
      { ttlSeconds: 59 },
    ]) {
      const res = await admin.post('/api/admin/enrollment-tokens', { role: 'seed', ...body });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.errors ?? {})).toEqual(Object.keys(body));
    }
    expect((await admin.post('/api/admin/enrollment-tokens', { role: 'seed', maxUses: 10_000 })).status).toBe(201);
    const made = await admin.post('/api/admin/users', {
      username: 'tok-member',
      password: 'tok-password-1',
      role: 'member',
    });
    expect(made.status).toBe(201);
    const member = await anon.login('tok-member', 'tok-password-1');
    expect((await member.get('/api/admin/enrollment-tokens')).status).toBe(403);
    const id = (await admin.get('/api/admin/enrollment-tokens?state=active')).body.items[0].id as string;
    expect((await member.post(`/api/admin/enrollment-tokens/${id}/revoke`, {})).status).toBe(403);
    expect(
      (await admin.post('/api/admin/enrollment-tokens/00000000-0000-4000-8000-000000000000/revoke', {})).status,
    ).toBe(404);
  });
});
