import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { background, inTerminal, killStrays, loggedIn, shoal, until } from '../support/shoal-cli.js';
import { makeContent, TestAuthority } from '../support/test-authority.js';

/*
 * What the CLI says and how it exits, as a user at a terminal or a script sees it: real
 * `shoal` processes (on a pseudo-terminal where it matters) against a stand-in server.
 */
let authority: TestAuthority;
let resourceId: string;
let publisher: ReturnType<typeof background>;
let contentDir: string;
let seedDir: string;
const out = () => mkdtemp(join(tmpdir(), 'shoal-out-'));

beforeAll(async () => {
  authority = await TestAuthority.start();
  const { content } = await makeContent([{ path: 'pkg/blob.bin', size: 1_500_000 }], 16 * 1024);
  contentDir = join(content.root, 'pkg');
  seedDir = await loggedIn(authority.url, 'admin');
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
  ]);
  expect(enrolled.code).toBe(0);
  publisher = background(seedDir, ['publish', contentDir, '--piece-size', '16384', '--json']);
  await until(() => publisher.lines.some((l) => l.event === 'published'));
  resourceId = String(publisher.lines.find((l) => l.event === 'published')!.resourceId);
  await until(() => authority.announces.some((a) => a.resourceId === resourceId));
}, 60_000);

afterAll(async () => {
  killStrays();
  await authority.close();
});

describe('after completion, get and publish say the content is complete and shared, and how to stop', () => {
  it('publish (with --json) says so as an event, with no time limit by default and the signals that stop it', () => {
    const sharing = publisher.lines.find((l) => l.event === 'sharing');
    expect(sharing).toMatchObject({ resourceId, seedTimeSeconds: null, until: null, stopWith: ['SIGINT', 'SIGTERM'] });
    expect(sharing!.message).toMatch(/is complete and verified in .*pkg; now sharing it with peers until you stop it/);
  });

  it('publish on a terminal shows its hashing, and with --seed-time 0 says nobody shares it from here', async () => {
    const t = inTerminal(seedDir, ['publish', contentDir, '--piece-size', '16384', '--seed-time', '0']);
    expect(await t.exited).toBe(0);
    expect(t.screen()).toContain('hashing 1 file, 1.4 MiB: 100%');
    expect(t.screen()).toMatch(/published pkg: resource id res-\w+\s+not sharing it from here \(--seed-time 0\)/);
  });

  it('on a terminal: the bar gives way to "complete and verified", a sharing line, and Ctrl-C then exits 0', async () => {
    const d = await loggedIn(authority.url, 'tess');
    const dir = await out();
    const t = inTerminal(d, ['get', resourceId, '-o', dir, '--download-limit', '500k']);
    await until(() => t.screen().includes('now sharing it with peers until you stop it'), 60_000);
    await until(() => t.screen().includes('sharing: ↑'));
    t.press('\x03');
    expect(await t.exited).toBe(0);
    const screen = t.screen();
    expect(screen).toContain(`pkg (1.4 MiB) is complete and verified in ${dir}`);
    // The bar was seen while downloading, and is gone once complete: no frame left at "ETA 0s".
    expect(screen).toMatch(/\d+% \| .* \| ETA/);
    const after = screen.slice(screen.indexOf('is complete and verified'));
    expect(after).not.toContain('ETA');
    expect(after).toContain('press Ctrl-C');
    expect(after).toMatch(/stopped sharing \(asked to stop\) after uploading \d/);
  }, 90_000);

  it('with --seed-time it shares for that long, says so, and returns by itself with 0', async () => {
    const d = await loggedIn(authority.url, 'sid');
    const r = await shoal(d, ['get', resourceId, '-o', await out(), '--seed-time', '2s', '--json']);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event).filter((e) => e !== 'progress')).toEqual([
      'complete',
      'sharing',
      'sharing-stopped',
    ]);
    expect(events.find((e) => e.event === 'sharing')).toMatchObject({ seedTimeSeconds: 2 });
    expect(String(events.find((e) => e.event === 'sharing')!.message)).toContain('for 2s (--seed-time)');
    expect(events.at(-1)).toMatchObject({ event: 'sharing-stopped', reason: 'seed-time' });
  }, 60_000);

  it('SIGINT after completion exits 0; before completion 130', async () => {
    const done = background(await loggedIn(authority.url, 'ada'), ['get', resourceId, '-o', await out(), '--json']);
    await until(() => done.lines.some((l) => l.event === 'sharing'), 60_000);
    done.child.kill('SIGINT');
    expect(await done.exited).toBe(0);
    expect(done.lines.at(-1)).toMatchObject({ event: 'sharing-stopped', reason: 'signal' });

    const early = background(await loggedIn(authority.url, 'bea'), [
      'get',
      resourceId,
      '-o',
      await out(),
      '--json',
      '--download-limit',
      '100k',
    ]);
    await until(() => early.lines.some((l) => Number(l.bytesDone) > 0));
    early.child.kill('SIGINT');
    expect(await early.exited).toBe(130);
    expect(early.lines.some((l) => l.event === 'sharing' || l.event === 'complete')).toBe(false);
    expect(early.lines.at(-1)).toMatchObject({ event: 'stopped' });
  }, 90_000);
});

describe('errors', () => {
  it('enroll with a bad flag value is a usage error (2), said once, before anything is written', async () => {
    const d = await mkdtemp(join(tmpdir(), 'shoal-bad-enroll-'));
    const r = await shoal(d, [
      'enroll',
      '--server',
      authority.url,
      '--token',
      't',
      '--role',
      'seed',
      '--name',
      'my laptop',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('shoal: --name must be 1-100 letters, digits, ".", "_" or "-", not "my laptop"');
    expect(existsSync(join(d, 'node-key.pem'))).toBe(false);
    const listen = await shoal(d, ['enroll', '--server', authority.url, '--token', 't', '--listen', 'nope']);
    expect(listen).toMatchObject({ code: 2, stderr: 'shoal: --listen: not host:port: "nope"\n' });
  });

  it("a member's publish is refused for its role before anything is hashed", async () => {
    const d = await loggedIn(authority.url, 'mallory');
    expect((await shoal(d, ['enroll', '--server', authority.url, '--listen', '127.0.0.1:0'])).code).toBe(0);
    const r = await shoal(d, ['publish', contentDir, '--json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('publishing needs the admin role, and mallory is a member');
    expect(r.stderr).not.toMatch(/hash/);
    expect(r.stdout).toBe('');
  });

  it('a reader that goes away (shoal ... | head) ends the command quietly', async () => {
    const d = await loggedIn(authority.url, 'hal');
    const g = background(d, ['get', resourceId, '-o', await out(), '--json', '--download-limit', '100k']);
    await until(() => g.lines.length > 0);
    g.child.stdout.destroy();
    expect(await g.exited).toBe(141);
    expect(g.stderr()).not.toContain('EPIPE');
  }, 60_000);
});

describe('serve says what it serves', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await loggedIn(authority.url, 'sam');
    expect((await shoal(dir, ['get', resourceId, '-o', await out(), '--seed-time', '0'])).code).toBe(0);
  }, 60_000);

  it('without a terminal: a line at start and per change, and one when it stops', async () => {
    const s = background(dir, ['serve']);
    await until(() => s.text.some((l) => l.startsWith('sharing pkg')));
    expect(s.text[0]).toMatch(
      /^serving as node \S+ \(\S+, client\) of http:\/\/127\.0\.0\.1:\d+, listening on \S+:\d+$/,
    );
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.text).toEqual([s.text[0], `sharing pkg (${resourceId}, 1.4 MiB)`, 'stopped serving (SIGTERM)']);
  }, 30_000);

  it('with --json: status objects, one per line', async () => {
    const s = background(dir, ['serve', '--json']);
    await until(() => s.lines.some((l) => l.event === 'status'));
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.lines[0]).toMatchObject({ event: 'serving', addresses: [expect.stringMatching(/^\S+:\d+$/)] });
    expect(s.lines.find((l) => l.event === 'status')).toMatchObject({
      resourceCount: 1,
      resources: [expect.objectContaining({ resourceId, name: 'pkg', complete: true })],
    });
    expect(s.lines.at(-1)).toMatchObject({ event: 'stopped', reason: 'SIGTERM' });
  }, 30_000);

  it('on a terminal: one screen redrawn in place every few seconds, Ctrl-C stops it', async () => {
    const t = inTerminal(dir, ['serve']);
    await until(() => t.screen().includes('RESOURCE'));
    const draws = () => t.screen().split('listening on ').length - 1;
    await until(() => draws() >= 2, 10_000);
    t.press('\x03');
    expect(await t.exited).toBe(0);
    const screen = t.screen();
    expect(screen).toMatch(/shoal serve: node \S+ \(client\) of http:\/\/127\.0\.0\.1:\d+/);
    expect(screen).toMatch(/pkg +1\.4 MiB +sharing/);
    expect(screen).toContain('stopped serving (SIGINT)');
    // Redrawn at a modest rate, not per block: a handful of frames in these few seconds.
    expect(draws()).toBeLessThan(10);
  }, 30_000);
});
