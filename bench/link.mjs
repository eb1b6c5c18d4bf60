// Benchmark 2: single-link throughput on loopback. One seed agent serving a resource to
// one downloader (TLS, every piece verified, written to disk) against nginx serving
// the same file to curl writing to disk. The two alternate REPS times; medians compared.
// Each run also records the CPU-seconds per GiB delivered of every process under test:
// downloader, seed and server for Shoal; curl and nginx's workers for the baseline.
//   BENCH_LINK_MIB (default 1024; the figure: 2048)  BENCH_LINK_REPS (default 3)  BENCH_CPU_PROF=1 (profile one get)
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, statSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startNginx } from './lib/nginx.mjs';
import * as B from './lib/shoal.mjs';

const MIB = B.envInt('BENCH_LINK_MIB', 1024);
const REPS = B.envInt('BENCH_LINK_REPS', 3);
const bytes = MIB * B.MiB;

const work = B.tempDir('link');
const content = join(work, 'content', 'payload.bin');
console.error(`link: ${MIB} MiB payload, ${REPS} alternating reps`);
B.makeRandomFile(content, bytes);

const server = await B.startServer();
const seed = await B.seedWithContent(server, content, { name: 'link payload' });
const serve = B.shoalSpawn(seed.dataDir, ['serve', '--json'], process.env.BENCH_CPU_PROF ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', join(B.RESULTS_DIR, 'profiles'), '--cpu-prof-name', 'link-serve.cpuprofile'] } : {});
await B.waitSeedOnline(server, seed.token, seed.resourceId);
const downloader = await B.loggedInAgent(server, 'dl');
const nginx = await startNginx(join(work, 'content'));

const runs = { shoal: [], http: [] };
let lastEvents = [];
const profDir = process.env.BENCH_CPU_PROF ? join(B.RESULTS_DIR, 'profiles') : null;
for (let rep = 1; rep <= REPS; rep++) {
  for (const sys of rep % 2 ? ['http', 'shoal'] : ['shoal', 'http']) {
    const out = join(work, `out-${sys}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    execFileSync('sync');
    const serving = sys === 'http' ? nginx.pids() : [serve.child.pid, server.child.pid];
    const cpu0 = B.exitedChildrenCpuMs() + serving.reduce((t, pid) => t + B.cpuMsOf(pid), 0);
    const t0 = process.hrtime.bigint();
    let rssPeak = 0;
    if (sys === 'http') {
      const r = spawnSync('curl', ['-sS', '--fail', '--noproxy', '*', '-o', join(out, 'payload.bin'), `${nginx.url}/payload.bin`]);
      if (r.status !== 0) throw new Error(`curl failed: ${r.stderr}`);
    } else {
      const nodeArgs = profDir && rep === 1 ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', 'link-get.cpuprofile'] : [];
      let pid = 0;
      const iv = setInterval(() => { if (pid) rssPeak = Math.max(rssPeak, B.vmRSS(pid)); }, 100);
      const r = await B.shoal(downloader, ['get', seed.resourceId, '-o', out, '--seed-time', '0', '--json'], { nodeArgs, onSpawn: (c) => (pid = c.pid) });
      lastEvents = r.stdout.split('\n').filter((l) => l.startsWith('{')).slice(-3);
      clearInterval(iv);
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpuS = (B.exitedChildrenCpuMs() + serving.reduce((t, pid) => t + B.cpuMsOf(pid), 0) - cpu0) / 1000;
    const size = statSync(join(out, 'payload.bin')).size;
    if (size !== bytes) throw new Error(`${sys}: wrote ${size} bytes, expected ${bytes}`);
    const gbps = bytes / s / 1e9;
    const cpuSPerGiB = cpuS / (bytes / B.GiB);
    runs[sys].push({ rep, seconds: B.round(s, 3), GBps: B.round(gbps, 3), cpuSPerGiB: B.round(cpuSPerGiB, 2), ...(sys === 'shoal' ? { peakRssMB: B.round(rssPeak / 1e6, 0) } : {}) });
    if (sys === 'shoal' && process.env.BENCH_VERBOSE) console.error(lastEvents.join('\n'));
    console.error(`link rep ${rep} ${sys}: ${s.toFixed(2)} s = ${gbps.toFixed(3)} GB/s, ${cpuSPerGiB.toFixed(2)} CPU-s/GiB`);
    rmSync(out, { recursive: true, force: true });
  }
}
await nginx.stop();
serve.child.kill('SIGTERM');
await serve.done;
await server.stop();

const med = (k) => B.median(runs[k].map((r) => r.GBps));
const ratio = med('shoal') / med('http');
const medCpu = (k) => B.median(runs[k].map((r) => r.cpuSPerGiB));
B.writeResult('link', {
  params: { MiB: MIB, reps: REPS, tmp: process.env.BENCH_TMP ?? '/tmp' },
  runs,
  median_GBps: { shoal: B.round(med('shoal'), 3), http_nginx_curl: B.round(med('http'), 3) },
  ratio: B.round(ratio, 3),
  median_cpuSPerGiB: { shoal: B.round(medCpu('shoal'), 2), http_nginx_curl: B.round(medCpu('http'), 2) },
  cpu_ratio: B.round(medCpu('shoal') / medCpu('http'), 2),
  target: 'shoal >= 0.60 x nginx+curl (median GB/s)',
  met: ratio >= 0.6,
  note: 'shoal time = whole `shoal get` process (start, manifest, TLS, transfer, verify, rename); curl time = whole curl process',
});
