/**
 * The agent against the real server, as a user would run it: an admin enrolls a seed
 * server, publishes a directory and serves it; downloaders log in and `shoal get` it,
 * each a separate process talking real TLS over loopback.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';
import { until } from '../harness/wait.js';

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('agents with the real server', () => {
  let server: RunningServer;
  let admin: Api;
  const seed = new Agent('seed');
  const content = join(seed.dataDir, '..', `shoal-content-${randomBytes(4).toString('hex')}`, 'kit');
  let serve: ShoalProcess;
  let resourceId: string;
  const running: ShoalProcess[] = [];

  beforeAll(async () => {
    server = await startServer();
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    await admin.post('/api/admin/users', { username: 'emma', password: 'emma-password-1', role: 'member' });

    // A directory with nested paths, an empty file and an empty-ish tail piece.
    mkdirSync(join(content, 'bin'), { recursive: true });
    mkdirSync(join(content, 'docs/deep/er'), { recursive: true });
    writeFileSync(join(content, 'bin/tool'), randomBytes(5 * 1024 * 1024 + 12_345));
    writeFileSync(join(content, 'docs/deep/er/notes.txt'), randomBytes(70_000));
    writeFileSync(join(content, 'docs/EMPTY'), '');

    await seed.enroll(admin, { role: 'seed', name: 'seed-1', site: 'hq' });
    await seed.login(server.url, 'admin', ADMIN_PASSWORD);
    resourceId = await seed.publish(content, ['--name', 'Build kit', '--description', 'nested']);
    // The seed serves slowly, so downloaders must get much of the content from each other.
    serve = seed.spawn(['serve', '--upload-limit', '2M', '--json']);
    running.push(serve);
    let seedCount: unknown;
    await until(
      'the seed server online for "Build kit" (seedCount 1)',
      async () => (seedCount = (await admin.get(`/api/resources/${resourceId}`)).body.seedCount) === 1,
      { timeoutMs: 30_000, intervalMs: 200, detail: () => `seedCount ${String(seedCount)}\n${serve.stderr()}` },
    );
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  it('lists the published directory with its files and one online seed server', async () => {
    const detail = await admin.get(`/api/resources/${resourceId}`);
    expect(detail.body.name).toBe('Build kit');
    expect(detail.body.files.map((f: { path: string }) => f.path).sort()).toEqual([
      'kit/bin/tool',
      'kit/docs/EMPTY',
      'kit/docs/deep/er/notes.txt',
    ]);
    expect(detail.body.seedCount).toBe(1);
    expect(detail.body.providers[0]).toEqual(
      expect.objectContaining({ name: 'seed-1', role: 'seed', site: 'hq', online: true }),
    );
  });

  /** Announces the tracker answered in all, and those its fast path answered (the production path). */
  async function announceCounts() {
    const text = (await new Api(server.url).get('/metrics')).text;
    const sum = (re: RegExp) => [...text.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
    return {
      all: sum(/^shoal_tracker_announces_total\{event="[a-z]+"\} (\d+)$/gm),
      fast: sum(/^shoal_tracker_fast_path_announces_total (\d+)$/gm),
    };
  }

  it('gets it to four downloaders, byte-identical, with bytes exchanged between them', async () => {
    const announcedBefore = await announceCounts();
    const downloaders = [1, 2, 3, 4].map((i) => new Agent(`dl${i}`));
    for (const d of downloaders) await d.login(server.url, 'emma', 'emma-password-1');
    const gets = downloaders.map((d) => {
      const p = d.spawn(['get', resourceId, '-o', join(d.dataDir, 'out'), '--seed-time', 'forever', '--json']);
      running.push(p);
      return p;
    });
    const finals = await Promise.all(gets.map((g) => g.waitFor((e) => e.event === 'complete', 150_000)));
    const expected = tree(join(content, '..'));
    for (const d of downloaders) expect(tree(join(d.dataDir, 'out'))).toEqual(expected);
    const fromPeers = finals.reduce((sum, e) => sum + Number(e.downloadedFromPeers), 0);
    const total = finals.reduce((sum, e) => sum + Number(e.downloaded), 0);
    expect(total).toBeGreaterThanOrEqual(4 * (5 * 1024 * 1024 + 12_345 + 70_000));
    // With the seed capped at 2 MiB/s, a large share must come from the other downloaders.
    expect(fromPeers / total).toBeGreaterThan(0.3);
    // Complete, then stopped while providing it: a clean stop, exit 0 (130 is for a download cut short).
    for (const g of gets) g.child.kill('SIGTERM');
    const results = await Promise.all(gets.map((g) => g.exited(30_000)));
    expect(results.map((r) => ({ code: r.code, signal: r.signal }))).toEqual(
      results.map(() => ({ code: 0, signal: null })),
    );

    // The swarm announced through the path production uses (the harness runs the server at
    // its production log level): every announce but a node's first, made before this server
    // had verified its credential, was answered by the tracker's fast path. (At
    // SHOAL_TEST_LOG_LEVEL=debug the fast path is off and this fails, as it should.)
    const announced = await announceCounts();
    const all = announced.all - announcedBefore.all;
    const fast = announced.fast - announcedBefore.fast;
    expect(fast).toBeGreaterThanOrEqual(downloaders.length);
    expect(all - fast).toBeLessThanOrEqual(downloaders.length + 1);
  }, 200_000);

  it('fetches only the files an --include selects', async () => {
    const d = new Agent('partial');
    await d.login(server.url, 'emma', 'emma-password-1');
    const res = await d.run([
      'get',
      resourceId,
      '-o',
      join(d.dataDir, 'out'),
      '--include',
      'kit/docs/**',
      '--seed-time',
      '0',
      '--json',
    ]);
    expect(res.code).toBe(0);
    expect(Object.keys(tree(join(d.dataDir, 'out'))).sort()).toEqual(['kit/docs/EMPTY', 'kit/docs/deep/er/notes.txt']);
  });

  it('keeps working after the user login expired, with the node credential, while its owner is active', async () => {
    const d = new Agent('later');
    await d.login(server.url, 'emma', 'emma-password-1');
    const args = ['--include', 'kit/docs/**', '--seed-time', '0', '--json'];
    expect((await d.run(['get', resourceId, '-o', join(d.dataDir, 'a'), ...args])).code).toBe(0);
    // Hours later: the 15-minute login is long gone.
    const userFile = join(d.dataDir, 'user.json');
    writeFileSync(
      userFile,
      JSON.stringify({ ...JSON.parse(readFileSync(userFile, 'utf8')), expiresAt: new Date(0).toISOString() }),
    );
    expect((await d.run(['get', resourceId, '-o', join(d.dataDir, 'b'), ...args])).code).toBe(0);
    // The owner disabled: the node may no longer fetch manifests on their behalf.
    const emma = (await admin.get('/api/admin/users?q=emma')).body.items[0];
    await admin.patch(`/api/admin/users/${emma.id}`, { disabled: true });
    const refused = await d.run(['get', resourceId, '-o', join(d.dataDir, 'c'), ...args]);
    expect(refused.code).toBe(4);
    await admin.patch(`/api/admin/users/${emma.id}`, { disabled: false });
  });

  it('refuses to serve a revoked node', async () => {
    const d = new Agent('revoked');
    await d.login(server.url, 'emma', 'emma-password-1');
    const first = await d.run([
      'get',
      resourceId,
      '-o',
      join(d.dataDir, 'a'),
      '--include',
      'kit/docs/**',
      '--seed-time',
      '0',
      '--json',
    ]);
    expect(first.code).toBe(0);
    const nodeId = JSON.parse(readFileSync(join(d.dataDir, 'node.json'), 'utf8')).nodeId as string;
    expect((await admin.post(`/api/admin/nodes/${nodeId}/revoke`)).status).toBe(200);
    const second = await d.run(['get', resourceId, '-o', join(d.dataDir, 'b'), '--seed-time', '0', '--json']);
    expect(second.stderr).toMatch(/revoked/);
    expect(second.code).not.toBe(0);
    expect(() => statSync(join(d.dataDir, 'b/kit/bin/tool'))).toThrow();
  });

  it('resumes after kill -9 without fetching verified pieces again', async () => {
    const d = new Agent('killed');
    await d.login(server.url, 'emma', 'emma-password-1');
    const out = join(d.dataDir, 'out');
    const first = d.spawn(['get', resourceId, '-o', out, '--seed-time', '0', '--download-limit', '1M', '--json']);
    running.push(first);
    const mid = await first.waitFor((e) => e.event === 'progress' && Number(e.bytesDone) > 1024 * 1024, 60_000);
    first.child.kill('SIGKILL');
    await first.exited(10_000);
    expect(() => statSync(join(out, 'kit/bin/tool'))).toThrow(); // never under its final name while partial
    const second = d.spawn(['get', resourceId, '-o', out, '--seed-time', '0', '--json']);
    running.push(second);
    const result = await second.exited();
    expect(result.code).toBe(0);
    expect(tree(out)).toEqual(tree(join(content, '..')));
    const complete = second.events().find((e) => e.event === 'complete')!;
    const size = 5 * 1024 * 1024 + 12_345 + 70_000;
    // Only what was not yet verified is fetched again: at most the rest plus in-flight pieces.
    expect(Number(complete.downloaded)).toBeLessThan(size - Number(mid.bytesDone) + 8 * 256 * 1024);
  });
});
