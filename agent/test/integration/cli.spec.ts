import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { background, killStrays, loggedIn as loggedInTo, shoal, until } from '../support/shoal-cli.js';
import { makeContent, TestAuthority } from '../support/test-authority.js';

/*
 * The CLI as users run it: separate `node bin/shoal.js` processes, each with its own data
 * directory, talking TLS to each other on 127.0.0.1 and HTTP to a stand-in server.
 */
let authority: TestAuthority;

// The processes run the bundle of bin/shoal.js, built from the current source by this
// suite's global setup (build-agent.mjs).
beforeAll(async () => {
  authority = await TestAuthority.start();
});

afterAll(async () => {
  killStrays();
  await authority.close();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const loggedIn = (name: string) => loggedInTo(authority.url, name);

describe('shoal CLI (real processes)', () => {
  let seedDir: string;
  let resourceId: string;
  let content: Awaited<ReturnType<typeof makeContent>>['content'];
  let publisher: ReturnType<typeof background>;

  beforeAll(async () => {
    ({ content } = await makeContent(
      [
        { path: 'data/a.bin', size: 600_000 },
        { path: 'data/empty', size: 0 },
        { path: 'data/sub/b.bin', size: 500_000 },
      ],
      16 * 1024,
    ));
    seedDir = await loggedIn('admin');
    const enrolled = await shoal(seedDir, [
      'enroll',
      '--server',
      authority.url,
      '--token',
      'enroll-me',
      '--role',
      'seed',
      '--listen',
      '127.0.0.1:0',
      '--name',
      'seed-a',
    ]);
    expect(enrolled.code).toBe(0);
    publisher = background(seedDir, [
      'publish',
      join(content.root, 'data'),
      '--piece-size',
      '16384',
      '--json',
      '--upload-limit',
      '400k',
    ]);
    await until(() => publisher.lines.some((l) => l.event === 'published'));
    resourceId = String(publisher.lines.find((l) => l.event === 'published')!.resourceId);
    // The seed is announced (and so listed in manifests) once its first tracker announce went out.
    await until(() => authority.announces.some((a) => a.resourceId === resourceId));
  }, 60_000);

  afterAll(async () => {
    if (publisher.child.exitCode === null) publisher.child.kill('SIGTERM');
    await publisher.exited;
  });

  it('answers bad input with a usage error and a missing login with exit code 3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-cli-empty-'));
    expect((await shoal(dir, ['get'])).code).toBe(2);
    expect((await shoal(dir, ['get', 'x', '--upload-limit', 'fast'])).code).toBe(2);
    // login takes a local user or --sso, never neither nor both.
    const neither = await shoal(dir, ['login', '--server', 'http://127.0.0.1:9']);
    expect([neither.code, neither.stderr]).toEqual([2, expect.stringContaining('--sso')]);
    const both = await shoal(dir, ['login', '--server', 'http://127.0.0.1:9', '--user', 'a', '--sso']);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('exclude each other')]);
    const r = await shoal(dir, ['get', 'some-id']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('shoal login');
  });

  it('two downloaders self-enroll with their login and fetch by id and by manifest file', async () => {
    const d1 = await loggedIn('alice');
    const d2 = await loggedIn('bob');
    const manifestFile = join(d2, 'res.shoal.json');
    await writeFile(manifestFile, JSON.stringify(await authority.manifest(resourceId)));
    const out1 = await mkdtemp(join(tmpdir(), 'shoal-cli-out-'));
    const out2 = await mkdtemp(join(tmpdir(), 'shoal-cli-out-'));
    const [r1, r2] = await Promise.all([
      shoal(d1, ['get', resourceId, '-o', out1, '--seed-time', '0', '--json']),
      shoal(d2, ['get', manifestFile, '-o', out2, '--seed-time', '0']),
    ]);
    expect(r1.code).toBe(0);
    expect(r2.code).toBe(0);
    for (const out of [out1, out2]) {
      for (const f of content.files)
        expect(sha(await readFile(join(out, f.path)))).toBe(sha(content.bytes.get(f.path)!));
      expect(await readdir(out)).toEqual(['data']);
    }
    const last = JSON.parse(r1.stdout.trim().split('\n').pop()!);
    expect(last).toMatchObject({ event: 'complete', bytesDone: 1_100_000, bytesTotal: 1_100_000 });
    // Asked again for content already complete in place: re-verified on disk, nothing fetched.
    const again = await shoal(d1, ['get', resourceId, '-o', out1, '--seed-time', '0', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout.trim().split('\n').pop()!)).toMatchObject({ event: 'complete', downloaded: 0 });
    const status = JSON.parse((await shoal(d1, ['status', '--json'])).stdout);
    expect(status.node.role).toBe('client');
    expect(status.holdings).toEqual([expect.objectContaining({ resourceId, complete: true, root: out1 })]);
  }, 60_000);

  it('after kill -9 mid-transfer, get again completes without fetching verified pieces again', async () => {
    const d = await loggedIn('carol');
    const out = await mkdtemp(join(tmpdir(), 'shoal-cli-out-'));
    const first = background(d, ['get', resourceId, '-o', out, '--json', '--download-limit', '150k']);
    await until(() => first.lines.some((l) => Number(l.bytesDone) >= 300_000));
    first.child.kill('SIGKILL');
    await first.exited;
    const doneAtKill = Math.max(...first.lines.map((l) => Number(l.bytesDone)));
    expect(await readdir(out)).toEqual(['.shoal-partial']);
    // The resume log is in the data dir; the output folder holds only the pieces.
    const [cid] = await readdir(join(out, '.shoal-partial'));
    expect(await readdir(join(out, '.shoal-partial', cid))).toEqual(['files']);
    expect(await readdir(join(d, 'downloads'))).toHaveLength(1);

    const second = await shoal(d, ['get', resourceId, '-o', out, '--seed-time', '0', '--json']);
    expect(second.code).toBe(0);
    const lines = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].bytesDone).toBeGreaterThanOrEqual(doneAtKill);
    expect(lines.at(-1).downloaded).toBeLessThanOrEqual(1_100_000 - doneAtKill);
    for (const f of content.files) expect(sha(await readFile(join(out, f.path)))).toBe(sha(content.bytes.get(f.path)!));
    expect(await readdir(join(d, 'downloads'))).toEqual([]);
  }, 60_000);

  it("get finishes a download complete at start (killed before the final rename, an older agent's log)", async () => {
    const d = await loggedIn('erin');
    const out = await mkdtemp(join(tmpdir(), 'shoal-cli-out-'));
    const { contentId, pieceHashes } = await authority.manifest(resourceId);
    // Every piece in the partial files and in a resume log where older agents kept it.
    const partial = join(out, '.shoal-partial', contentId);
    for (const f of content.files) {
      await mkdir(dirname(join(partial, 'files', f.path)), { recursive: true });
      await writeFile(join(partial, 'files', f.path), content.bytes.get(f.path)!);
    }
    const log = Buffer.alloc(4 * pieceHashes.length);
    pieceHashes.forEach((_, p) => log.writeUInt32BE(p, 4 * p));
    await writeFile(join(partial, 'verified.log'), log);

    const r = await shoal(d, ['get', resourceId, '-o', out, '--seed-time', '0', '--json']);
    expect(r).toMatchObject({ code: 0 });
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({
      event: 'complete',
      bytesDone: 1_100_000,
      downloaded: 0,
    });
    for (const f of content.files) expect(sha(await readFile(join(out, f.path)))).toBe(sha(content.bytes.get(f.path)!));
    expect(await readdir(out)).toEqual(['data']);
    expect(await readdir(join(d, 'downloads'))).toEqual([]);
  }, 60_000);

  it('serve provides what the node holds after a restart, and stops cleanly on SIGTERM', async () => {
    publisher.child.kill('SIGTERM');
    expect(await publisher.exited).toBe(0);
    const before = authority.announces.length;
    const heartbeatsBefore = authority.heartbeats.length;
    const daemon = background(seedDir, ['serve']);
    await until(() =>
      authority.announces.slice(before).some((a) => a.resourceId === resourceId && a.event === 'started'),
    );
    // Its first heartbeat already lists what it provides: the server replaces a node's
    // holdings with each heartbeat's list, so an empty first one would erase them.
    await until(() => authority.heartbeats.length > heartbeatsBefore);
    expect(authority.heartbeats[heartbeatsBefore].holdings).toContainEqual(
      expect.objectContaining({ resourceId, complete: true }),
    );
    const d = await loggedIn('dave');
    const out = await mkdtemp(join(tmpdir(), 'shoal-cli-out-'));
    const r = await shoal(d, ['get', resourceId, '-o', out, '--seed-time', '0', '--include', 'data/sub/**']);
    expect(r.code).toBe(0);
    expect((await readFile(join(out, 'data/sub/b.bin'))).equals(content.bytes.get('data/sub/b.bin')!)).toBe(true);
    expect(await readdir(join(out, 'data'))).toEqual(['sub']);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(daemon.stderr()).toContain('SIGTERM: announcing stop');
    expect(authority.announces.slice(before).some((a) => a.resourceId === resourceId && a.event === 'stopped')).toBe(
      true,
    );
  }, 60_000);

  it("serve waits out a heartbeat's Retry-After from a server shedding load, and says when it tries again", async () => {
    authority.heartbeatRetryAfter = 120;
    const refusedBefore = authority.refusedHeartbeats;
    const daemon = background(seedDir, ['serve']);
    try {
      await until(() => authority.refusedHeartbeats > refusedBefore);
      await until(() => /heartbeat failed.*next try in \d+ s/.test(daemon.stderr()));
      const seconds = Number(/heartbeat failed.*next try in (\d+) s/.exec(daemon.stderr())![1]);
      // At least the Retry-After, plus at most a fifth more so a fleet sent away does not return together.
      expect(seconds).toBeGreaterThanOrEqual(120);
      expect(seconds).toBeLessThanOrEqual(144);
      expect(daemon.stderr()).toContain('429');
    } finally {
      authority.heartbeatRetryAfter = null;
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    }
  }, 60_000);
});
