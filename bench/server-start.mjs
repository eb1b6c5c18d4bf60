// Release artifacts (docs/benchmarks.md, 8): server start to healthy. Starts each command
// REPS times, alternating, on a fresh SQLite data dir (so every start runs the migrations and
// creates the admin), polls GET /health every 20 ms, records the time to the first 200, then
// stops it with SIGTERM and waits for the exit. Prints mean, median, min and max per command.
//   node bench/server-start.mjs [unpacked release folder]   BENCH_START_REPS (default 10)
// Without a folder, dist/release/shoal-server-*.tar.gz is unpacked into a temporary one.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const REPS = Number(process.env.BENCH_START_REPS ?? 10);

function releaseDir() {
  if (process.argv[2]) return process.argv[2];
  const tarball = readdirSync(join(ROOT, 'dist/release')).find((f) => /^shoal-server-.*\.tar\.gz$/.test(f));
  if (!tarball) throw new Error('no dist/release/shoal-server-*.tar.gz: run "npm run package"');
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-release-'));
  execFileSync('tar', ['xzf', join(ROOT, 'dist/release', tarball), '-C', dir]);
  return join(dir, readdirSync(dir)[0]);
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function once(command, args, cwd) {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'shoal-bench-start-'));
  const started = process.hrtime.bigint();
  const child = spawn(command, args, {
    cwd,
    stdio: 'ignore',
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SHOAL_DATA_DIR: data,
      SHOAL_ADMIN_PASSWORD: 'bench-admin-password',
      SHOAL_BUILTIN_SEED_PORT: '0',
      DATABASE_URL: '',
    },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode} before it was healthy`);
    const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
    if (res?.ok) break;
    if (process.hrtime.bigint() - started > 60_000_000_000n) throw new Error(`${command}: not healthy within 60 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  child.kill('SIGTERM');
  await exited;
  return ms;
}

const release = releaseDir();
const commands = {
  'bin/shoal-server (tarball, Node 24)': [
    join(release, 'bin/shoal-server'),
    [],
    mkdtempSync(join(tmpdir(), 'shoal-bench-cwd-')),
  ],
  'npm start (checkout, Node 20)': ['npm', ['start'], ROOT],
  // The same server from the checkout without npm in front: what the runtime and the layout cost.
  'node server/dist/main.js (checkout, Node 20)': [process.execPath, ['server/dist/main.js'], ROOT],
};
const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < REPS; i++) {
  for (const [name, [command, args, cwd]] of Object.entries(commands)) times[name].push(await once(command, args, cwd));
}
for (const [name, ms] of Object.entries(times)) {
  const sorted = [...ms].sort((a, b) => a - b);
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `${name}: mean ${mean.toFixed(0)} ms, median ${median.toFixed(0)} ms, min ${sorted[0].toFixed(0)}, max ${sorted.at(-1).toFixed(0)} (${ms.length} starts)`,
  );
}
