import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestAuthority } from '../support/test-authority.js';

/*
 * `shoal service install` and `shoal --version` as users run them: the bundle of
 * bin/shoal.js (built by this project's global setup) in its own process, on a data dir
 * enrolled with a stand-in server.
 */
const agentDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(agentDir, 'bin', 'shoal.js');
const VERSION = (JSON.parse(await readFile(join(agentDir, 'package.json'), 'utf8')) as { version: string }).version;

function shoal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('shoal service install (real process)', () => {
  let authority: TestAuthority;
  let dataDir: string;

  beforeAll(async () => {
    authority = await TestAuthority.start();
    dataDir = await mkdtemp(join(tmpdir(), 'shoal-svc-'));
    const enrolled = await shoal([
      '--data-dir',
      dataDir,
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
      'svc-seed',
    ]);
    expect(enrolled.code).toBe(0);
  });
  afterAll(async () => authority?.close());

  const install = async (...flags: string[]) => {
    const unitDir = await mkdtemp(join(tmpdir(), 'shoal-units-'));
    const r = await shoal(['--data-dir', dataDir, 'service', 'install', '--unit-dir', unitDir, ...flags]);
    return { ...r, unit: join(unitDir, 'shoal-agent.service') };
  };

  it('refuses a user that does not exist with one sentence and exit code 2, writing nothing', async () => {
    const r = await install('--user', 'no-such-user-shoal');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^shoal: --user no-such-user-shoal: there is no such user on this machine; create it \(useradd .*\) or name an existing one\n$/,
    );
    expect(existsSync(r.unit)).toBe(false);
  });

  it('refuses a user that cannot read and write the data dir, saying how to fix it', async () => {
    // `nobody` exists on every Debian machine and owns nothing: the 0700 data dir is not theirs.
    const r = await install('--user', 'nobody');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `shoal: user nobody cannot read and write the data dir ${dataDir} (chown -R nobody: ${dataDir}, or install with --user set to its owner)\n`,
    );
    expect(existsSync(r.unit)).toBe(false);
  });

  it("writes the unit for the data dir's owner, and says in --help who it runs as by default", async () => {
    const me = userInfo().username;
    const r = await install('--user', me);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`(runs as user ${me})`);
    expect(await readFile(r.unit, 'utf8')).toMatch(new RegExp(`^User=${me}$`, 'm'));
    const help = await shoal(['service', 'install', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      '(default: "shoal" if this machine has it; never root unless named)',
    );
  });

  it('prints its version with the commit it was built from, and both as JSON for scripts', async () => {
    const line = await shoal(['--version']);
    expect(line.code).toBe(0);
    const m = /^(\S+) \(commit ([0-9a-f]{7,40})\)\n$/.exec(line.stdout);
    expect(m?.[1]).toBe(VERSION);
    const json = await shoal(['version', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ version: VERSION, commit: m?.[2], api: 1 });
  });
});
