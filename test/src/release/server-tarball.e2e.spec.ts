/**
 * The release's server tarball (`npm run package` →
 * dist/release/shoal-server-<v>-linux-x64.tar.gz) used as ops would: unpacked into an empty
 * folder outside the repository and started with its bin/shoal-server where neither the
 * machine's node nor the checkout can be reached (a mount namespace binds /dev/null over the
 * one and an empty folder over the other), on MariaDB + Redis and on SQLite. The agent it
 * hands out then enrolls, publishes and downloads against it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { createMysqlSchema } from '../harness/databases.js';
import { ADMIN_PASSWORD, REPO_ROOT, freePort } from '../harness/server.js';
import { isListening, waitForExit } from '../harness/processes.js';
import { sleep } from '../harness/wait.js';

const VERSION = JSON.parse(readFileSync(join(REPO_ROOT, 'server/package.json'), 'utf8')).version as string;
const NAME = `shoal-server-${VERSION}-linux-x64`;
const TARBALL = join(REPO_ROOT, `dist/release/${NAME}.tar.gz`);
const AGENT = join(REPO_ROOT, 'dist/release/shoal');
/** The runtime the release is pinned to, where it is pinned. */
const RUNTIME_VERSION = /const RUNTIME_VERSION = '([\d.]+)'/.exec(
  readFileSync(join(REPO_ROOT, 'scripts/package.mjs'), 'utf8'),
)![1]!;
const REDIS_URL = process.env.SHOAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Started {
  child: ChildProcess;
  url: string;
  port: number;
  seedPort: number;
  output(): string;
}

describe('the server tarball of a release', () => {
  let unpacked: string;
  let top: string;
  let emptyCheckout: string;
  const servers: Started[] = [];
  const running: ShoalProcess[] = [];
  const drops: (() => Promise<void>)[] = [];

  /**
   * bin/shoal-server from an empty working folder, with the machine's node and the checkout
   * out of reach. NODE_OPTIONS would stop any node that saw it: only the variables the
   * README lists may get through.
   */
  async function startRelease(env: Record<string, string>): Promise<Started> {
    const [port, seedPort] = [await freePort(), await freePort()];
    const cwd = mkdtempSync(join(tmpdir(), 'shoal-release-cwd-'));
    const url = `http://127.0.0.1:${port}`;
    const hide = `mount --bind /dev/null /usr/bin/node && mount --bind ${emptyCheckout} ${REPO_ROOT} && exec "$@"`;
    const child = spawn('unshare', ['-m', '--', 'sh', '-c', hide, 'sh', join(top, 'bin/shoal-server')], {
      cwd,
      env: {
        PATH: '/usr/bin:/bin',
        NODE_OPTIONS: '--require=/nonexistent/poison.cjs',
        PORT: String(port),
        HOST: '127.0.0.1',
        SHOAL_DATA_DIR: join(cwd, 'data'),
        SHOAL_ADMIN_PASSWORD: ADMIN_PASSWORD,
        SHOAL_PUBLIC_URL: url,
        SHOAL_BUILTIN_SEED_HOST: '127.0.0.1',
        SHOAL_BUILTIN_SEED_PORT: String(seedPort),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const started: Started = { child, url, port, seedPort, output: () => out };
    servers.push(started);
    const since = Date.now();
    while (Date.now() - since < 60_000) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`bin/shoal-server exited (code ${child.exitCode}, signal ${child.signalCode}):\n${out}`);
      }
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
      if (res?.ok) return started;
      await sleep(100);
    }
    throw new Error(`bin/shoal-server did not become healthy within 60 s:\n${out}`);
  }

  beforeAll(() => {
    if (!existsSync(TARBALL)) throw new Error(`${TARBALL} is missing: run "npm run package" (npm test does)`);
    unpacked = mkdtempSync(join(tmpdir(), 'shoal-server-release-'));
    const untar = spawnSync('tar', ['xzf', TARBALL, '-C', unpacked], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`tar xzf ${TARBALL}: ${untar.stderr}`);
    expect(readdirSync(unpacked)).toEqual([NAME]);
    top = join(unpacked, NAME);
    emptyCheckout = mkdtempSync(join(tmpdir(), 'shoal-no-checkout-'));
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    for (const drop of drops) await drop();
    // 400 MB unpacked: not left behind by every run.
    for (const s of servers) await waitForExit(s.child, 10_000).catch(() => undefined);
    if (unpacked) rmSync(unpacked, { recursive: true, force: true });
  });

  it('ships its runtime and its production dependencies only, installed from the lock inside', () => {
    const node = join(top, 'node/bin/node');
    expect(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe(`v${RUNTIME_VERSION}`);
    const lock = JSON.parse(readFileSync(join(top, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    // The lock was pruned to the production tree: no dev entry left, and every entry installed.
    const entries = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/'));
    expect(entries.filter(([, p]) => p.dev).map(([path]) => path)).toEqual([]);
    expect(entries.filter(([path]) => !existsSync(join(top, path))).map(([path]) => path)).toEqual([]);
    for (const tool of ['typescript', 'jest', 'esbuild', '@nestjs/testing', 'ts-jest']) {
      expect([tool, lock.packages[`node_modules/${tool}`]]).toEqual([tool, undefined]);
    }
    // npm itself agrees that node_modules is the lock's production tree, nothing missing or extra.
    const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--offline'], {
      cwd: top,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${join(top, 'node/bin')}:${process.env.PATH}` },
    });
    expect(ls.stderr).toBe('');
    expect(ls.status).toBe(0);
    // Both native addons load in the runtime that ships (they were built for it, not for this machine's node).
    const addons = spawnSync(
      node,
      ['-e', "new (require('better-sqlite3'))(':memory:').exec('select 1'); require('argon2'); console.log('ok')"],
      { cwd: top, encoding: 'utf8' },
    );
    expect(addons.stderr).toBe('');
    expect(addons.stdout.trim()).toBe('ok');
    expect(statSync(join(top, 'bin/shoal-server')).mode & 0o777).toBe(0o755);
  });

  it('bin/shoal-server passes on exactly the variables of the README inside', () => {
    const readme = readFileSync(join(top, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'));
    const documented = [...table.matchAll(/^\| ((?:`[A-Z][A-Z0-9_]*`(?: \/ )?)+) \|/gm)].flatMap((m) =>
      [...m[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((n) => n[1]!),
    );
    const passed = /^for name in (.*); do$/m.exec(readFileSync(join(top, 'bin/shoal-server'), 'utf8'))![1]!.split(' ');
    expect(passed.sort()).toEqual(documented.sort());
    expect(passed).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'PORT', 'SHOAL_AGENT_DIR']));
  });

  it('has a systemd unit that systemd accepts: a dedicated user, a private state dir, hardened', () => {
    const unit = readFileSync(join(top, 'systemd/shoal-server.service'), 'utf8');
    const settings = new Map(
      unit
        .split('\n')
        .filter((l) => /^[A-Za-z]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(
      Object.fromEntries(
        ['User', 'StateDirectory', 'StateDirectoryMode', 'ExecStart'].map((k) => [k, settings.get(k)]),
      ),
    ).toEqual({
      User: 'shoal-server',
      StateDirectory: 'shoal-server',
      StateDirectoryMode: '0700',
      ExecStart: '/opt/shoal-server/current/bin/shoal-server',
    });
    // systemd's own parser, on a copy whose ExecStart points at this unpacked release: any
    // unknown key or bad value is reported on stderr.
    const copy = join(mkdtempSync(join(tmpdir(), 'shoal-unit-')), 'shoal-server.service');
    writeFileSync(copy, unit.replaceAll('/opt/shoal-server/current', top));
    const verify = spawnSync('systemd-analyze', ['verify', '--man=no', copy], { encoding: 'utf8' });
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
    // Its exposure score (0 = locked down, 10 = unprotected) must stay "OK" (below 2.5).
    const security = spawnSync('systemd-analyze', ['security', '--offline=true', '--threshold=25', copy], {
      encoding: 'utf8',
    });
    expect(security.stdout).toMatch(/Overall exposure level for shoal-server\.service: [0-2]\.\d OK/);
    expect(security.status).toBe(0);
  });

  it('runs on MariaDB + Redis: healthy, its portal, an admin login, and the agent it was released with', async () => {
    const schema = await createMysqlSchema();
    drops.push(schema.drop);
    const server = await startRelease({
      DATABASE_URL: schema.url,
      REDIS_URL,
      SHOAL_REDIS_PREFIX: `shoal-release-${randomBytes(4).toString('hex')}:`,
    });
    expect((await new Api(server.url).get('/health/ready')).status).toBe(200);
    const version = await new Api(server.url).get('/api/version');
    const builtFrom = /Built from commit ([0-9a-f]{12})\./.exec(readFileSync(join(top, 'README.md'), 'utf8'))![1];
    expect(version.body).toMatchObject({ version: VERSION, commit: builtFrom });
    const index = await fetch(`${server.url}/`);
    expect(await index.text()).toBe(readFileSync(join(top, 'portal/index.html'), 'utf8'));
    const admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);

    const res = await fetch(`${server.url}/downloads/shoal`);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(sha256(body)).toBe(sha256(readFileSync(AGENT)));
    expect(res.headers.get('x-checksum-sha256')).toBe(sha256(body));
    expect(await (await fetch(`${server.url}/downloads/shoal.sha256`)).text()).toBe(`${sha256(body)}  shoal\n`);

    // The downloaded agent, alone in an empty folder: a seed publishes and serves, another machine gets.
    const machine = mkdtempSync(join(tmpdir(), 'shoal-release-machine-'));
    mkdirSync(join(machine, 'bin'));
    writeFileSync(join(machine, 'bin/shoal'), body);
    chmodSync(join(machine, 'bin/shoal'), 0o755);
    const agent = (label: string) =>
      new Agent(label, {
        command: [join(machine, 'bin/shoal')],
        cwd: machine,
        env: { PATH: '/usr/bin:/bin', SHOAL_HOME: '' },
      });
    const seed = agent('tarball-seed');
    await seed.enroll(admin, { role: 'seed', name: 'tarball-seed' });
    await seed.login(server.url, 'admin', ADMIN_PASSWORD);
    const content = randomBytes(1024 * 1024 + 333);
    const file = join(mkdtempSync(join(tmpdir(), 'shoal-release-content-')), 'notes.bin');
    writeFileSync(file, content);
    const resourceId = await seed.publish(file, ['--name', 'tarball notes']);
    running.push(seed.spawn(['serve', '--json']));
    const since = Date.now();
    while ((await admin.get(`/api/resources/${resourceId}`)).body.seedCount !== 1) {
      if (Date.now() - since > 30_000) throw new Error(`the seed never came online:\n${running[0]!.stderr()}`);
      await sleep(200);
    }
    const laptop = agent('tarball-laptop');
    await laptop.login(server.url, 'admin', ADMIN_PASSWORD);
    const get = await laptop.run(['get', resourceId, '-o', join(laptop.dataDir, 'out'), '--seed-time', '0', '--json']);
    expect(get.code).toBe(0);
    expect(sha256(readFileSync(join(laptop.dataDir, 'out', 'notes.bin')))).toBe(sha256(content));
    expect(server.output()).not.toMatch(/poison/);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('on SQLite, %s stops it and leaves nothing listening', async (signal) => {
    const server = await startRelease({});
    const admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    expect((await admin.get('/api/admin/users')).status).toBe(200);
    expect(await isListening(server.seedPort)).toBe(true);
    server.child.kill(signal);
    const exit = await waitForExit(server.child, 15_000);
    // Nest's shutdown hooks re-raise the signal once everything is closed.
    expect(exit).toEqual({ code: null, signal });
    expect(await isListening(server.port)).toBe(false);
    expect(await isListening(server.seedPort)).toBe(false);
  });
});
