/**
 * The release's Debian package (`npm run package` → dist/release/shoal-agent_<v>_amd64.deb)
 * installed, upgraded, removed and purged by the real dpkg into a throwaway root
 * (`dpkg --root` with the maintainer scripts run against that root), as ops would on a
 * seed server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_VERSION_LINE } from '../harness/agents.js';
import { REPO_ROOT } from '../harness/server.js';

const VERSION = JSON.parse(readFileSync(join(REPO_ROOT, 'agent/package.json'), 'utf8')).version as string;
const DEB = join(REPO_ROOT, `dist/release/shoal-agent_${VERSION}_amd64.deb`);

/** An empty system: a dpkg database and the account files useradd edits, nothing else. */
function emptyRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'shoal-deb-root-'));
  for (const dir of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers', 'etc']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
  for (const f of ['etc/shadow', 'etc/gshadow']) writeFileSync(join(root, f), '');
  return root;
}

/** dpkg on `root`; the empty root has none of the package's dependencies, hence --force-depends. */
function dpkg(root: string, ...args: string[]): string {
  const r = spawnSync(
    'dpkg',
    [`--root=${root}`, '--force-script-chrootless', '--force-depends', '--log=/dev/null', ...args],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`dpkg ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const account = (root: string, file: 'passwd' | 'group') =>
  readFileSync(join(root, 'etc', file), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('shoal:'))
    ?.split(':');

describe('the agent Debian package', () => {
  let root: string;

  beforeAll(() => {
    if (!existsSync(DEB)) throw new Error(`${DEB} is missing: run "npm run package" (npm test does)`);
    root = emptyRoot();
  });

  it('installs the executable, a shoal system user, a private data dir and the unit, and starts nothing', () => {
    dpkg(root, '-i', DEB);
    const user = account(root, 'passwd');
    expect(user).toBeDefined();
    const [, , uid, gid, , home, shell] = user!;
    expect(Number(uid)).toBeLessThan(1000); // a system account
    expect(account(root, 'group')?.[2]).toBe(gid);
    expect(home).toBe('/var/lib/shoal');
    expect(shell).toBe('/usr/sbin/nologin');

    const state = statSync(join(root, 'var/lib/shoal'));
    expect(state.mode & 0o777).toBe(0o700);
    expect([state.uid, state.gid]).toEqual([Number(uid), Number(gid)]);

    const exe = join(root, 'usr/bin/shoal');
    expect(statSync(exe).mode & 0o777).toBe(0o755);
    const version = spawnSync(exe, ['--version'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
    expect(version.stdout.trim()).toMatch(AGENT_VERSION_LINE);

    const unit = readFileSync(join(root, 'lib/systemd/system/shoal.service'), 'utf8');
    expect(unit).toMatch(/^User=shoal$/m);
    expect(unit).toMatch(/^StateDirectory=shoal$/m);
    expect(unit).toMatch(/^StateDirectoryMode=0700$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/shoal --data-dir \/var\/lib\/shoal serve --json$/m);
    // Not started before it is enrolled, and hardened like `shoal service install`'s unit.
    expect(unit).toMatch(/^ConditionPathExists=\/var\/lib\/shoal\/node\.json$/m);
    for (const line of [
      'NoNewPrivileges=true',
      'ProtectSystem=strict',
      'PrivateTmp=true',
      'RestartPreventExitStatus=4',
    ]) {
      expect(unit.split('\n')).toContain(line);
    }
    expect(unit).not.toContain(REPO_ROOT);
  });

  it('keeps the node identity and holdings through an upgrade and a remove, and deletes them on purge', () => {
    // What an enrolled seed has in its data dir (written here as root, as `sudo shoal enroll` would).
    const state = join(root, 'var/lib/shoal');
    writeFileSync(join(state, 'node.json'), '{"nodeId":"kept"}');
    mkdirSync(join(state, 'holdings'));
    writeFileSync(join(state, 'holdings', 'h.json'), '{}');

    dpkg(root, '-i', DEB);
    expect(readFileSync(join(state, 'node.json'), 'utf8')).toBe('{"nodeId":"kept"}');
    const uid = Number(account(root, 'passwd')![2]);
    expect(statSync(join(state, 'node.json')).uid).toBe(uid); // handed back to the shoal user

    dpkg(root, '-r', 'shoal-agent');
    expect(existsSync(join(root, 'usr/bin/shoal'))).toBe(false);
    expect(existsSync(join(root, 'lib/systemd/system/shoal.service'))).toBe(false);
    expect(readFileSync(join(state, 'holdings', 'h.json'), 'utf8')).toBe('{}');

    dpkg(root, '-P', 'shoal-agent');
    expect(existsSync(state)).toBe(false);
    expect(account(root, 'passwd')).toBeUndefined();
  });
});
