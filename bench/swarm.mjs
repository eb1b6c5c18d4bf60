// Benchmark 1: swarm distribution time over shaped network namespaces (bench/swarm, a copy
// of the swarm-bench harness with a Shoal driver). Needs root. Baselines in the same run:
// plain HTTP (nginx -> curl) and aria2 BitTorrent, and the lower bound D.
//   BENCH_SWARM_CASES   "N:MiB ..."   default "6:64"        (full: "6:64 12:64 6:256 12:256")
//   BENCH_SWARM_SYSTEMS               default "shoal aria2-bt http"
//   BENCH_SWARM_HTTP_CASES            cases where http runs too (it takes N x D), default "6:64"
//   BENCH_SWARM_REPS                  default 2
//   BENCH_SWARM_RATE                  default 80mbit (every host up and down)
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from './lib/nginx.mjs';
import * as B from './lib/shoal.mjs';

if (process.getuid?.() !== 0) { console.error('swarm bench needs root (ip netns, tc)'); process.exit(2); }
ensureDebianPackages([['aria2c', 'aria2'], ['opentracker', 'opentracker'], ['transmission-create', 'transmission-cli'],
  ['nginx', 'nginx'], ['ping', 'iputils-ping'], ['tc', 'iproute2']]);

const cases = (process.env.BENCH_SWARM_CASES || '6:64').split(/\s+/).filter(Boolean).map((c) => c.split(':').map(Number));
const systems = (process.env.BENCH_SWARM_SYSTEMS || 'shoal aria2-bt http').split(/\s+/).filter(Boolean);
const httpCases = new Set((process.env.BENCH_SWARM_HTTP_CASES ?? '6:64').split(/\s+/).filter(Boolean));
const reps = B.envInt('BENCH_SWARM_REPS', 2);
const rate = process.env.BENCH_SWARM_RATE || '80mbit';
const harness = join(B.REPO, 'bench/swarm/swarm-bench.sh');
const outBase = B.tempDir('swarm');

/**
 * Per run, from each client's `complete` line of `--json`: the slowest time from `shoal get` start to
 * its first verified piece, and the longest stretch a client received nothing while a
 * connected peer held a piece it lacked (issue 15: goals 1 s and 2 s).
 */
function clientTimings(logDir, n) {
  const last = [];
  for (let i = 1; i <= n; i++) {
    const f = join(logDir, `shoal-c${i}.out`);
    if (!existsSync(f)) continue;
    const done = readFileSync(f, 'utf8').split('\n').filter((l) => l.startsWith('{"event":"complete"'));
    try { last.push(JSON.parse(done.at(-1))); } catch { /* no complete line: skip */ }
  }
  const firsts = last.map((l) => l.firstPieceMs).filter((v) => typeof v === 'number');
  const stalls = last.map((l) => l.longestStallMs).filter((v) => typeof v === 'number');
  return { firstPieceMsMax: firsts.length ? Math.max(...firsts) : null, firstPieceMsMedian: firsts.length ? B.median(firsts) : null,
    longestStallMsMax: stalls.length ? Math.max(...stalls) : null };
}

const results = [];
for (const [n, mib] of cases) {
  const sys = systems.filter((s) => s !== 'http' || httpCases.has(`${n}:${mib}`));
  // http needs N x D: give every run room for it
  const bound = Math.max(1, (n * mib * 8 * 1.048576) / Number.parseFloat(rate));
  const timeout = Math.ceil(Math.max(150, (sys.includes('http') ? n : 4) * bound * 1.6 + 30));
  const out = join(outBase, `n${n}-${mib}`);
  console.error(`swarm: N=${n} ${mib} MiB systems=${sys.join(',')} reps=${reps} timeout=${timeout}s`);
  const r = spawnSync(harness, [`SYSTEMS=${sys.join(' ')}`, `N=${n}`, `FILE_MIB=${mib}`, `REPS=${reps}`, `UP=${rate}`, `DOWN=${rate}`,
    `SEED_UP=${rate}`, `RUN_TIMEOUT=${timeout}`, 'SEED_READY_TIMEOUT=120', `OUT_DIR=${out}`, 'FORCE_CLEAN=1'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) console.error(`swarm-bench exited ${r.status}`);
  const summary = existsSync(join(out, 'summary.txt')) ? readFileSync(join(out, 'summary.txt'), 'utf8') : '';
  const runs = existsSync(join(out, 'results.txt')) ? readFileSync(join(out, 'results.txt'), 'utf8') : '';
  const kv = (line) => Object.fromEntries(line.trim().split(/\s+/).slice(1).map((f) => f.split('=')).map(([k, v]) => [k, Number.isNaN(Number(v)) ? v : Number(v)]));
  const byRun = runs.split('\n').filter((l) => l.startsWith('RESULT')).map(kv);
  for (const line of summary.split('\n').filter((l) => l.startsWith('SUMMARY'))) {
    const s = kv(line);
    const own = byRun.filter((x) => x.system === s.system);
    // CPU-seconds of every process under test (server included) per GiB delivered to the N clients.
    const gib = (n * mib) / 1024;
    const perGiB = own.map((x) => x.sut_cpu_s).filter((v) => typeof v === 'number').map((v) => v / gib);
    results.push({ n, fileMiB: mib, system: s.system, okReps: `${s.ok_reps}/${s.reps}`, boundS: s.bound_s, maxSMedian: s.max_s_med ?? null,
      ratioMedian: s.ratio_med ?? null, ratioRange: s.ratio_min !== undefined ? [s.ratio_min, s.ratio_max] : null,
      cpuAvgPct: s.cpu_avg_pct, sutCpuPct: s.sut_cpu_pct, cpuSPerGiB: perGiB.length ? B.round(B.median(perGiB), 2) : null,
      runs: own.map((x) => ({ rep: x.rep, maxS: x.max_s, meanS: x.mean_s, ratio: x.ratio, ok: x.ok, sutCpuS: x.sut_cpu_s,
        ...(s.system === 'shoal' ? clientTimings(join(out, 'runs', `shoal-r${x.rep}`, 'logs'), n) : {}) })) });
  }
  // Beside aria2 in the same case: the CPU-per-byte target of issue 15.
  const aria = results.find((r) => r.n === n && r.fileMiB === mib && r.system === 'aria2-bt');
  for (const r of results.filter((x) => x.n === n && x.fileMiB === mib))
    r.cpuRatioToAria2 = aria?.cpuSPerGiB && r.cpuSPerGiB ? B.round(r.cpuSPerGiB / aria.cpuSPerGiB, 2) : null;
}

const table = results.map((r) => `${r.system.padEnd(9)} N=${String(r.n).padEnd(3)} ${String(r.fileMiB).padStart(4)} MiB  slowest ${String(r.maxSMedian).padStart(7)} s  D ${r.boundS} s  ratio ${r.ratioMedian}  ${r.cpuSPerGiB} CPU-s/GiB (x${r.cpuRatioToAria2 ?? '-'} aria2)`);
console.error(table.join('\n'));
const shoal = results.filter((r) => r.system === 'shoal');
B.writeResult('swarm', {
  params: { cases: cases.map(([n, m]) => `${n}:${m}`), systems, reps, rate, note: 'every host capped at rate up and down with tbf; no added delay (no netem)' },
  results,
  target: 'shoal <= 1.25 x D in every case; CPU-s per GiB <= aria2',
  met: shoal.length > 0 && shoal.every((r) => r.ratioMedian !== null && r.ratioMedian <= 1.25),
  cpuMet: shoal.length > 0 && shoal.every((r) => r.cpuRatioToAria2 !== null && r.cpuRatioToAria2 <= 1),
});
