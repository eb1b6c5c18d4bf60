// Benchmark 3: publish hashing. `shoal publish` of a file already in the page cache
// (whole command: start, hash every piece on worker threads, upload the metadata) against
// `openssl dgst -sha256` of the same file, alternating REPS times; medians compared.
// References measured in the same run: sha256sum, Node crypto on one thread.
//   BENCH_HASH_MIB (default 2048)  BENCH_HASH_REPS (default 3)  BENCH_CPU_PROF=1
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import * as B from './lib/shoal.mjs';

const MIB = B.envInt('BENCH_HASH_MIB', 2048);
const REPS = B.envInt('BENCH_HASH_REPS', 3);
const bytes = MIB * B.MiB;
const work = B.tempDir('hash');
const file = join(work, 'payload.bin');
console.error(`hash: ${MIB} MiB, ${REPS} reps`);
B.makeRandomFile(file, bytes);
execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] }); // into the page cache

const server = await B.startServer();
const token = await B.adminToken(server.url);
const seedDir = B.tempDir('seed');
const t = await B.api(server.url, 'POST', '/api/admin/enrollment-tokens', { role: 'seed' }, token);
await B.shoal(seedDir, ['enroll', '--server', server.url, '--token', t.token, '--role', 'seed', '--name', 'hash-seed', '--listen', '127.0.0.1:0']);
await B.shoal(seedDir, ['login', '--server', server.url, '--user', 'admin', '--password-stdin'], { input: `${B.ADMIN_PASSWORD}\n` });

const time = (fn) => { const t0 = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - t0) / 1e9; };
const timeAsync = async (fn) => { const t0 = process.hrtime.bigint(); await fn(); return Number(process.hrtime.bigint() - t0) / 1e9; };
const runs = { shoal_publish: [], openssl: [], sha256sum: [], node_one_thread: [] };
const profDir = process.env.BENCH_CPU_PROF ? join(B.RESULTS_DIR, 'profiles') : null;
let opensslHash = '';
for (let rep = 1; rep <= REPS; rep++) {
  const order = rep % 2 ? ['openssl', 'shoal_publish'] : ['shoal_publish', 'openssl'];
  for (const sys of order) {
    let s;
    if (sys === 'openssl') {
      s = time(() => { opensslHash = spawnSync('openssl', ['dgst', '-sha256', '-r', file]).stdout.toString().split(' ')[0]; });
    } else {
      const nodeArgs = profDir && rep === 1 ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', 'publish.cpuprofile'] : [];
      // the same content published again answers 200 with the existing resource: hashing is identical
      s = await timeAsync(() => B.shoal(seedDir, ['publish', file, '--name', `hash bench ${rep}`, '--seed-time', '0', '--json'], { nodeArgs }));
    }
    runs[sys].push({ rep, seconds: B.round(s, 3), GBps: B.round(bytes / s / 1e9, 3) });
    console.error(`hash rep ${rep} ${sys}: ${s.toFixed(2)} s = ${(bytes / s / 1e9).toFixed(2)} GB/s`);
  }
}
// one-off references
{
  const s = time(() => spawnSync('sha256sum', [file]));
  runs.sha256sum.push({ rep: 1, seconds: B.round(s, 3), GBps: B.round(bytes / s / 1e9, 3) });
  const buf = Buffer.allocUnsafe(4 * B.MiB);
  const s2 = time(() => {
    const h = createHash('sha256'); const fd = openSync(file, 'r'); let n;
    while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
    closeSync(fd); h.digest('hex');
  });
  runs.node_one_thread.push({ rep: 1, seconds: B.round(s2, 3), GBps: B.round(bytes / s2 / 1e9, 3) });
}
await server.stop();
const med = (k) => B.median(runs[k].map((r) => r.GBps));
B.writeResult('hash', {
  params: { MiB: MIB, reps: REPS, pieceSize: 'agent default' },
  runs,
  median_GBps: Object.fromEntries(Object.keys(runs).map((k) => [k, B.round(med(k), 3)])),
  ratio_vs_openssl: B.round(med('shoal_publish') / med('openssl'), 3),
  target: 'shoal publish faster than openssl dgst -sha256 (ratio > 1)',
  met: med('shoal_publish') > med('openssl'),
  note: 'shoal time = the whole `shoal publish` process (node start, hashing on worker threads, metadata upload); openssl = one thread, SHA-NI absent on this CPU',
});
