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
import { multipartFrame, uploadFile } from '../harness/uploads.js';
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
    const up = await uploadFile(
      server.url,
      admin.token!,
      { name: 'Installer 2.0', filename: 'installer.bin' },
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
    expect((await uploadFile(server.url, member.token!, { name: 'x' }, Buffer.from('hi'))).status).toBe(403);
    expect(
      (await uploadFile(server.url, admin.token!, { name: 'x', filename: '../evil' }, Buffer.from('hi'))).status,
    ).toBe(400);

    // The partial file is looked for anywhere in the server's data dir, so that it cannot
    // be left behind in some other folder than the one the server writes uploads to today.
    const dataDir = server.dataDir;
    const partials = () => [...filesUnder(dataDir)].filter(([path]) => path.split('/').pop() === 'cancelled');
    const dirsBefore = readdirSync(join(dataDir, 'builtin-seed/uploads')).sort();
    expect(partials()).toEqual([]);
    // Announce 10 MB, send 1 MB, and hang up once the server has written part of it to disk.
    const frame = multipartFrame({ name: 'cancelled', filename: 'cancelled' }, 10_000_000);
    const req = request(`${server.url}/api/admin/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${admin.token}`,
        'content-type': frame.contentType,
        'content-length': frame.contentLength,
      },
    });
    const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
    req.on('error', () => undefined);
    req.write(frame.head);
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

  it('takes name, description and tags in the body: a long non-ASCII description, tags found by ?tag= and search', async () => {
    // 4,000 characters of "ü" are 24 kB percent-encoded: too long for a URL, fine in a body.
    const description = `Größe ${'ü'.repeat(3_980)} kalibriert`;
    const up = await uploadFile(
      server.url,
      admin.token!,
      { name: 'Spektrometer Treiber', description, tags: ['Lab-Tools', 'qa'], filename: 'spek.bin' },
      randomBytes(70_000),
    );
    expect(up.status).toBe(201);
    expect(up.body).toEqual(expect.objectContaining({ description, tags: ['Lab-Tools', 'qa'] }));
    const id = up.body.id as string;
    expect((await admin.get('/api/resources?q=kalibriert')).body.items.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await admin.get('/api/resources?tag=lab-tools')).body.items.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await admin.get('/api/resources?tag=lab')).body.total).toBe(0);
    expect((await admin.get('/api/resources?tag=qa&q=spektro')).body.total).toBe(1);
    const badTag = await admin.get('/api/resources?tag=no%20spaces');
    expect(badTag.status).toBe(400);
    expect(badTag.body.message).toBe('tag must be 1-64 letters, digits, ".", "_", ":" or "-"');
  });

  it('refuses a blank or too long name and bad tags once each, naming the field, and keeps nothing', async () => {
    const blank = await uploadFile(server.url, admin.token!, { name: '   ' }, Buffer.from('hi'));
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual(
      expect.objectContaining({
        code: 'validation_failed',
        message: 'name must not be empty or only spaces',
        errors: { name: 'name must not be empty or only spaces' },
      }),
    );
    const long = await uploadFile(
      server.url,
      admin.token!,
      { name: 'n'.repeat(201), tags: ['a b'] },
      Buffer.from('hi'),
    );
    expect(long.status).toBe(400);
    expect(long.body.message).toBe(
      'name must be shorter than or equal to 200 characters; tags: each tag must be 1-64 letters, digits, ".", "_", ":" or "-"',
    );
    // The metadata must come first: a file before it is refused before anything is stored.
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('hi')]), 'early.bin');
    form.append('metadata', JSON.stringify({ name: 'early' }));
    const early = await fetch(`${server.url}/api/admin/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
      body: form,
    });
    expect(early.status).toBe(400);
    expect(((await early.json()) as { message: string }).message).toBe(
      'the "metadata" field must come before the file',
    );
    // The old way (raw body, metadata in the query) is gone, with a sentence saying what to send.
    const raw = await fetch(`${server.url}/api/admin/uploads?name=old`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(raw.status).toBe(415);
    expect((await admin.get('/api/resources?q=early')).body.total).toBe(0);
  });

  it('starts and stops quietly: it announces only while the server listens, and Nest lists no routes', async () => {
    // The tests before left the built-in seed holding resources: each start announces them
    // and each stop says goodbye for them, to this server's own tracker.
    await server.restart();
    await until(
      'the built-in seed to provide its resources',
      () => /serving [1-9]\d* resource\(s\)/.test(server.output()),
      {
        timeoutMs: 30_000,
        detail: () => server.output().slice(-2000),
      },
    );
    await server.stop();
    const log = server.output();
    expect(log).not.toMatch(/ECONNREFUSED|announce failed/);
    expect(log).not.toMatch(/RouterExplorer|InstanceLoader/);
    // Its first announce comes after the server said it listens.
    expect(log.lastIndexOf('listening on http')).toBeLessThan(
      log.search(/serving [1-9]\d* resource\(s\)(?![\s\S]*serving [1-9])/),
    );
  }, 120_000);
});
