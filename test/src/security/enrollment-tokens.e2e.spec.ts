/**
 * One-time enrollment tokens as ops hand them out, against the real server and the real
 * `shoal enroll`: an expired token is refused with a message saying so, a token used for
 * a role it does not allow stays good for the role it does, and of several machines
 * racing to enroll with one token exactly one gets in.
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
});
