// Benchmark 5: tracker announces per second with keep-alive (wrk, one thread, from this
// machine) against one server instance on the embedded SQLite default, rotating over
// many enrolled nodes' credentials, each announce with its own proof of possession. Baselines in the same run: opentracker (C BitTorrent
// tracker) under the same load, and the server's own public GET /health. Each run also
// records the CPU time the server process spent per request.
//   BENCH_TRACKER_NODES (default 500)  BENCH_TRACKER_SECONDS (20)  BENCH_TRACKER_CONNS (64)
//   BENCH_TRACKER_THREADS (1)  BENCH_TRACKER_REPS (2)  BENCH_CPU_PROF=1 (profile the server)
//   BENCH_TRACKER_AUTH=session (default: what agents send between proofs, an HMAC of the
//   tracker session key each node's first announce was granted) or proof (a DPoP proof on every announce)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from './lib/nginx.mjs';
import * as B from './lib/shoal.mjs';
import { TRACKER_SESSION, trackerSessionHeader } from '../contract/dist/index.js';

ensureDebianPackages([['wrk', 'wrk'], ['opentracker', 'opentracker']]);
const NODES = B.envInt('BENCH_TRACKER_NODES', 500);
const SECONDS = B.envInt('BENCH_TRACKER_SECONDS', 20);
const CONNS = B.envInt('BENCH_TRACKER_CONNS', 64);
const THREADS = B.envInt('BENCH_TRACKER_THREADS', 1);
const REPS = B.envInt('BENCH_TRACKER_REPS', 2);
const here = join(B.REPO, 'bench/tracker');
const work = B.tempDir('tracker');

/** CPU time (user + system, ms) a process has used so far. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
}

// The machine is shared, so requests/s and latency depend on what else runs; the CPU the
// server process spends per request does much less, and is reported alongside.
function wrk(url, script, env, pid, seconds = SECONDS) {
  const cpu0 = cpuMs(pid);
  const r = spawnSync('wrk', ['-t', String(THREADS), '-c', String(CONNS), '-d', `${seconds}s`, '--latency', '--timeout', '5s', ...(script ? ['-s', script] : []), url],
    { env: { ...process.env, ...env }, encoding: 'utf8' });
  const cpu = cpuMs(pid) - cpu0;
  const out = r.stdout;
  const ms = (v, u) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[u] ?? 1);
  const lat = {};
  for (const m of out.matchAll(/^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$/gm)) lat[`p${m[1]}`] = B.round(ms(m[2], m[3]), 2);
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const total = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
  const errors = out.match(/Socket errors:.*$/m)?.[0] ?? null;
  return { rps: B.round(rps, 0), latencyMs: lat, requests: total, non2xx, socketErrors: errors,
    serverCpuUsPerRequest: total ? B.round((cpu * 1000) / total, 0) : null, serverCpuCores: B.round(cpu / 1000 / seconds, 2) };
}

// ---- Shoal server
const profDir = process.env.BENCH_CPU_PROF ? join(B.RESULTS_DIR, 'profiles') : null;
// The nodes stand for a fleet enrolled by one account: lift the per-user cap on self-enrolled nodes for it.
const server = await B.startServer({ env: { SHOAL_MAX_NODES_PER_USER: String(NODES + 10) }, nodeArgs: profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', 'tracker-server.cpuprofile'] : [] });
const token = await B.adminToken(server.url);
const pieceSize = 1 << 20;
const resource = await B.fakeResource(server.url, token, 'tracker bench', 4);
console.error(`tracker: enrolling ${NODES} nodes`);
const nodes = [];
for (let i = 0; i < NODES; i++) {
  const e = await B.enrollNode(server.url, { userToken: token, name: `bench-${i}`, address: `10.200.${i >> 8}.${i & 255}:7070` });
  nodes.push({ credential: e.credential, key: e.key });
}
// every node joins the swarm once, so each announce answers with a full peer list (50)
for (const n of nodes) {
  const joined = await B.api(server.url, 'POST', '/api/tracker/announce', { resourceId: resource.id, event: 'started', left: 4 * pieceSize, uploaded: 0, downloaded: 0 }, n);
  n.session = joined.session; // undefined from a server without tracker sessions
}
const AUTH = process.env.BENCH_TRACKER_AUTH ?? 'session';
if (AUTH !== 'session' && AUTH !== 'proof') throw new Error(`BENCH_TRACKER_AUTH=${AUTH}: session or proof`);
if (AUTH === 'session' && !nodes[0].session) throw new Error('the server granted no tracker session (BENCH_TRACKER_AUTH=proof for an older server)');
const credFile = join(work, 'creds.tsv');
writeFileSync(credFile, nodes.map((n) => `${n.credential}\t${resource.id}`).join('\n') + '\n');

// Every announce carries its own proof of possession (a proof is good for one request and
// 60 s), signed here before each run, as many as the run can use; wrk sends them in order,
// so a run that outlasts them gets 401s for the replays (counted as non-2xx).
const PROOFS_PER_SECOND = B.envInt('BENCH_TRACKER_PROOFS_PER_S', 15_000);
const proofFile = join(work, 'proofs.tsv');
async function writeProofs() {
  const count = PROOFS_PER_SECOND * SECONDS;
  const lines = [];
  for (let i = 0; i < count; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - i) }, (_, j) => {
      const n = (i + j) % nodes.length;
      if (AUTH === 'session') return Promise.resolve(`${n + 1}\t${trackerSessionHeader(nodes[n].session)}`);
      return B.signNodeProof({ credential: nodes[n].credential, key: nodes[n].key, method: 'POST', url: '/api/tracker/announce' })
        .then((proof) => `${n + 1}\t${proof}`);
    });
    lines.push(...(await Promise.all(batch)));
  }
  writeFileSync(proofFile, lines.join('\n') + '\n');
}

// ---- opentracker baseline
const otDir = join(work, 'ot');
mkdirSync(otDir, { recursive: true }); chmodSync(otDir, 0o755); chmodSync(work, 0o755);
const infohash = randomBytes(20).toString('hex');
writeFileSync(join(otDir, 'whitelist.txt'), `${infohash}\n`); chmodSync(join(otDir, 'whitelist.txt'), 0o644);
const otPort = await B.freePort();
const ot = B.track(spawn('opentracker', ['-i', '127.0.0.1', '-p', String(otPort), '-P', String(otPort), '-d', otDir, '-u', 'nobody', '-w', 'whitelist.txt'], { stdio: 'ignore' }));
await B.sleep(500);

const runs = { shoal_announce: [], opentracker_announce: [], shoal_health: [] };
for (let rep = 1; rep <= REPS; rep++) {
  await writeProofs();
  runs.shoal_announce.push(wrk(server.url, join(here, 'announce.lua'), { BENCH_CREDS: credFile, BENCH_PROOFS: proofFile, BENCH_AUTH_HEADER: AUTH === 'session' ? TRACKER_SESSION.header : 'dpop' }, server.child.pid));
  console.error(`tracker rep ${rep} shoal announce: ${JSON.stringify(runs.shoal_announce.at(-1))}`);
  runs.opentracker_announce.push(wrk(`http://127.0.0.1:${otPort}`, join(here, 'opentracker.lua'), { BENCH_INFOHASH: infohash }, ot.pid));
  console.error(`tracker rep ${rep} opentracker: ${JSON.stringify(runs.opentracker_announce.at(-1))}`);
  const health = wrk(`${server.url}/health`, null, {}, server.child.pid, Math.min(SECONDS, 10));
  runs.shoal_health.push({ ...health, p99: `${health.latencyMs.p99}ms` }); // p99 as text: what bench/report.mjs prints
  console.error(`tracker rep ${rep} shoal /health: ${JSON.stringify(runs.shoal_health.at(-1))}`);
}
ot.kill('SIGTERM');
await server.stop();
if (profDir) console.error(`server profile: ${readdirSync(profDir).join(', ')}`);
const med = (k, f) => B.median(runs[k].map(f));
const rps = med('shoal_announce', (r) => r.rps);
const p99 = med('shoal_announce', (r) => r.latencyMs.p99);
B.writeResult('tracker', {
  params: { auth: AUTH, nodes: NODES, seconds: SECONDS, connections: CONNS, wrkThreads: THREADS, reps: REPS, db: 'sqlite', body: 'event=update, numWant=50, 500-member swarm' },
  runs,
  median: { shoal_announce_rps: rps, shoal_announce_p50_ms: med('shoal_announce', (r) => r.latencyMs.p50), shoal_announce_p99_ms: p99,
    shoal_announce_cpu_us: med('shoal_announce', (r) => r.serverCpuUsPerRequest),
    opentracker_rps: med('opentracker_announce', (r) => r.rps), opentracker_p99_ms: med('opentracker_announce', (r) => r.latencyMs.p99),
    opentracker_cpu_us: med('opentracker_announce', (r) => r.serverCpuUsPerRequest),
    shoal_health_rps: med('shoal_health', (r) => r.rps), shoal_health_p99_ms: med('shoal_health', (r) => r.latencyMs.p99),
    shoal_health_cpu_us: med('shoal_health', (r) => r.serverCpuUsPerRequest) },
  target: '>= 5000 announces/s with p99 <= 50 ms',
  met: rps >= 5000 && p99 <= 50,
});
