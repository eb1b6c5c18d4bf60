/**
 * The release's single-file agent (`npm run package` → dist/release/shoal), used as ops
 * would: copied alone into an empty folder and run where no Node.js can start (a mount
 * namespace binds /dev/null over the machine's node), against the real server: enroll a
 * seed, publish, serve, and two downloaders that exchange pieces.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, AGENT_VERSION_LINE, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, REPO_ROOT, startServer, type RunningServer } from '../harness/server.js';

const BUILT = join(REPO_ROOT, 'dist/release/shoal');
const NODE = '/usr/bin/node';
/** Runs "$@" with the machine's node replaced by /dev/null, so nothing can fall back on it. */
const WITHOUT_NODE = ['unshare', '-m', '--', 'sh', '-c', `mount --bind /dev/null ${NODE} && exec "$@"`, 'sh'];

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the single-file agent of a release', () => {
  let server: RunningServer;
  let admin: Api;
  let exe: string;
  let emptyDir: string;
  const running: ShoalProcess[] = [];

  /** An agent whose every command is the copied executable, started without Node.js. */
  const releaseAgent = (label: string) =>
    new Agent(label, {
      command: [...WITHOUT_NODE, exe],
      cwd: emptyDir,
      env: { PATH: `${join(emptyDir, 'bin')}:/usr/bin:/bin`, SHOAL_HOME: '' },
    });

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run "npm run package" (npm test does)`);
    emptyDir = mkdtempSync(join(tmpdir(), 'shoal-release-'));
    exe = join(emptyDir, 'bin', 'shoal');
    spawnSync('mkdir', ['-p', join(emptyDir, 'bin')]);
    copyFileSync(BUILT, exe);
    chmodSync(exe, 0o755);
    server = await startServer();
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    expect(
      (await admin.post('/api/admin/users', { username: 'olga', password: 'olga-password-1', role: 'member' })).status,
    ).toBe(201);
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  it('starts where node cannot, and its checksum file matches it', () => {
    const r = spawnSync(
      'unshare',
      ['-m', '--', 'sh', '-c', `mount --bind /dev/null ${NODE} && { ${NODE} --version; echo "node: $?"; } ; exec "$@"`],
      { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, input: '' },
    );
    expect(r.stdout).toMatch(/^node: 12[67]$/m);
    const version = spawnSync(WITHOUT_NODE[0]!, [...WITHOUT_NODE.slice(1), exe, '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(AGENT_VERSION_LINE);
    const [digest, name] = readFileSync(`${BUILT}.sha256`, 'utf8').trim().split(/\s+/);
    expect(name).toBe('shoal');
    expect(digest).toBe(sha256(readFileSync(exe)));
  });

  it('enrolls a seed, publishes, serves, and two downloaders get the content from it and from each other', async () => {
    const seed = releaseAgent('release-seed');
    await seed.enroll(admin, { role: 'seed', name: 'release-seed' });
    await seed.login(server.url, 'admin', ADMIN_PASSWORD);
    const content = randomBytes(6 * 1024 * 1024 + 777);
    const file = join(mkdtempSync(join(tmpdir(), 'shoal-release-content-')), 'image.bin');
    writeFileSync(file, content);
    const resourceId = await seed.publish(file, ['--name', 'release image']);
    // A slow seed: the downloaders have to pass pieces on to each other.
    const serve = seed.spawn(['serve', '--upload-limit', '2M', '--json']);
    running.push(serve);
    const online = Date.now();
    while ((await admin.get(`/api/resources/${resourceId}`)).body.seedCount !== 1) {
      if (Date.now() - online > 30_000) throw new Error(`seed never came online:\n${serve.stderr().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const downloaders = [1, 2].map((i) => releaseAgent(`release-dl${i}`));
    for (const d of downloaders) await d.login(server.url, 'olga', 'olga-password-1');
    const gets = downloaders.map((d) => {
      const p = d.spawn(['get', resourceId, '-o', join(d.dataDir, 'out'), '--seed-time', 'forever', '--json']);
      running.push(p);
      return p;
    });
    const finals = await Promise.all(gets.map((g) => g.waitFor((e) => e.event === 'complete', 120_000)));
    for (const d of downloaders) {
      expect(sha256(readFileSync(join(d.dataDir, 'out', 'image.bin')))).toBe(sha256(content));
    }
    expect(finals.reduce((sum, e) => sum + Number(e.downloadedFromPeers), 0)).toBeGreaterThan(0);
  });
});
