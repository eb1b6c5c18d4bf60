// Benchmark 4: agent memory. Peak RSS (VmHWM, sampled from /proc while it runs) of one
// `shoal get` downloader fetching a small and a large resource from one seed on loopback.
// Target: <= 200 MB and not growing with the resource size. Baseline in the same run: the
// RSS of the same agent doing nothing but `shoal status` (its start-up floor).
//   BENCH_MEM_SMALL_MIB (default 256)  BENCH_MEM_LARGE_MIB (default 1024)   (full: 1024 and 4096)
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as B from './lib/shoal.mjs';

const sizes = [B.envInt('BENCH_MEM_SMALL_MIB', 256), B.envInt('BENCH_MEM_LARGE_MIB', 1024)];
const server = await B.startServer();
const downloader = await B.loggedInAgent(server, 'dl');
const results = [];

async function measure(args, label) {
  let pid = 0, hwm = 0, rss = 0;
  const iv = setInterval(() => { if (pid) { hwm = Math.max(hwm, B.vmHWM(pid)); rss = Math.max(rss, B.vmRSS(pid)); } }, 50);
  const t0 = process.hrtime.bigint();
  const r = await B.shoal(downloader, args, { onSpawn: (c) => (pid = c.pid) });
  clearInterval(iv);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.error(`memory ${label}: peak RSS ${(Math.max(hwm, rss) / 1e6).toFixed(0)} MB in ${s.toFixed(1)} s`);
  return { peakRssMB: B.round(Math.max(hwm, rss) / 1e6, 1), seconds: B.round(s, 2), stdoutTail: r.stdout.split('\n').filter(Boolean).slice(-1)[0]?.slice(0, 200) };
}

// floor: the CLI's start-up with all modules loaded
const floor = await measure(['status', '--json'], 'status (floor)');
for (const mib of sizes) {
  const work = B.tempDir(`mem${mib}`);
  const content = join(work, 'content', `payload-${mib}.bin`);
  console.error(`memory: ${mib} MiB payload`);
  B.makeRandomFile(content, mib * B.MiB);
  const seed = await B.seedWithContent(server, content, { name: `memory ${mib}` });
  const serve = B.shoalSpawn(seed.dataDir, ['serve', '--json']);
  await B.waitSeedOnline(server, seed.token, seed.resourceId);
  const m = await measure(['get', seed.resourceId, '-o', join(work, 'out'), '--seed-time', '0', '--json'], `get ${mib} MiB`);
  results.push({ MiB: mib, ...m, MBps: B.round((mib * B.MiB) / m.seconds / 1e6, 1) });
  serve.child.kill('SIGTERM');
  await serve.done;
  B.forget(work);
  B.forget(seed.dataDir);
}
await server.stop();
const [small, large] = results;
B.writeResult('memory', {
  params: { sizesMiB: sizes },
  floor: { command: 'shoal status', peakRssMB: floor.peakRssMB },
  results,
  growthMB: B.round(large.peakRssMB - small.peakRssMB, 1),
  target: 'peak RSS <= 200 MB for the large resource, not growing with size',
  met: large.peakRssMB <= 200 && large.peakRssMB - small.peakRssMB <= 0.1 * small.peakRssMB + 10,
});
