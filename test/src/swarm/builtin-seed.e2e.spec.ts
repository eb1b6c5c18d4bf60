/**
 * The built-in seed: an admin uploads a file to the server (as the portal does), the
 * server hashes, publishes and serves it, and an agent downloads it, also after a restart.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join, relative } from 'node:path';
import { Agent } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';
import { until, within } from '../harness/wait.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under `dir` with its size, by path relative to `dir`. */
function filesUnder(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(relative(dir, p), statSync(p).size);
    }
  };
  walk(dir);
  return out;
}

async function upload(server: RunningServer, token: string, path: string, body: Buffer) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('built-in seed', () => {
  let server: RunningServer;
  let admin: Api;
  const content = randomBytes(3 * 1024 * 1024 + 777);

  beforeAll(async () => {
    server = await startServer();
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('publishes an uploaded file and serves it to agents, also after a restart', async () => {
    const up = await upload(
      server,
      admin.token!,
      '/api/admin/uploads?name=Installer%202.0&filename=installer.bin',
      content,
    );
    expect(up.status).toBe(201);
    expect(up.body).toEqual(expect.objectContaining({ name: 'Installer 2.0', size: content.length, seedCount: 0 }));
    expect(up.body.providers).toEqual([expect.objectContaining({ name: 'builtin-seed', role: 'seed', online: true })]);
    const id = up.body.id as string;

    const agent = new Agent('builtin-dl');
    await agent.login(server.url, 'admin', ADMIN_PASSWORD);
    const first = await agent.run(['get', id, '-o', join(agent.dataDir, 'a'), '--seed-time', '0', '--json']);
    expect(first.code).toBe(0);
    expect(sha(readFileSync(join(agent.dataDir, 'a/installer.bin')))).toBe(sha(content));

    await server.restart();
    await agent.login(server.url, 'admin', ADMIN_PASSWORD);
    const second = await agent.run(['get', id, '-o', join(agent.dataDir, 'b'), '--seed-time', '0', '--json']);
    expect(second.code).toBe(0);
    expect(sha(readFileSync(join(agent.dataDir, 'b/installer.bin')))).toBe(sha(content));
  }, 240_000);

  it('refuses uploads from members and keeps nothing of a cancelled upload', async () => {
    await admin.post('/api/admin/users', { username: 'mo', password: 'mo-password-123', role: 'member' });
    const member = await new Api(server.url).login('mo', 'mo-password-123');
    expect((await upload(server, member.token!, '/api/admin/uploads?name=x', Buffer.from('hi'))).status).toBe(403);
    expect(
      (await upload(server, admin.token!, '/api/admin/uploads?name=x&filename=../evil', Buffer.from('hi'))).status,
    ).toBe(400);

    // The partial file is looked for anywhere in the server's data dir, so that it cannot
    // be left behind in some other folder than the one the server writes uploads to today.
    const dataDir = server.dataDir;
    const partials = () => [...filesUnder(dataDir)].filter(([path]) => path.split('/').pop() === 'cancelled');
    const dirsBefore = readdirSync(join(dataDir, 'builtin-seed/uploads')).sort();
    expect(partials()).toEqual([]);
    // Announce 10 MB, send 1 MB, and hang up once the server has written part of it to disk.
    const req = request(`${server.url}/api/admin/uploads?name=cancelled`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${admin.token}`,
        'content-type': 'application/octet-stream',
        'content-length': 10_000_000,
      },
    });
    const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
    req.on('error', () => undefined);
    req.write(randomBytes(1_000_000));
    await until('the server writing the partial upload to disk', () => partials().some(([, size]) => size > 0), {
      timeoutMs: 20_000,
      detail: () => JSON.stringify([...filesUnder(dataDir)]),
    });
    req.destroy();
    await within('the cancelled upload connection closed', closed, 10_000);
    await until('the partial upload removed from the data dir', () => partials().length === 0, {
      timeoutMs: 10_000,
      detail: () => JSON.stringify(partials()),
    });
    expect(readdirSync(join(dataDir, 'builtin-seed/uploads')).sort()).toEqual(dirsBefore);
    expect((await admin.get('/api/resources?q=cancelled')).body.total).toBe(0);
  });

  it('starts and stops quietly: it announces only while the server listens, and Nest lists no routes', async () => {
    // The first test left the built-in seed holding a resource: each start announces it
    // and each stop says goodbye for it, to this server's own tracker.
    await server.restart();
    await until('the built-in seed to provide its resource', () => /serving 1 resource\(s\)/.test(server.output()), {
      timeoutMs: 30_000,
      detail: () => server.output().slice(-2000),
    });
    await server.stop();
    const log = server.output();
    expect(log).not.toMatch(/ECONNREFUSED|announce failed/);
    expect(log).not.toMatch(/RouterExplorer|InstanceLoader/);
    // Its first announce comes after the server said it listens.
    expect(log.lastIndexOf('listening on http')).toBeLessThan(log.lastIndexOf('serving 1 resource(s)'));
  }, 120_000);
});
