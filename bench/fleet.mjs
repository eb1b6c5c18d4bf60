// Benchmark: a fleet of simulated agents (bench/lib/fleet-agents.mjs, a few processes)
// heartbeating and announcing over the real HTTP API, with real node credentials and
// per-request proofs, through a round-robin TCP balancer to two server instances on
// MariaDB + Redis. Measures the steady state, then one instance killed (SIGKILL) and
// restarted after BENCH_FLEET_KILL_S, then both killed for BENCH_FLEET_OUTAGE_S and
// restarted together: per-second request rate, time until every agent has heartbeated
// successfully again, and the peak second of the reconnect against the steady rate.
//
// Time is compressed by BENCH_FLEET_COMPRESSION (k): agents use intervals, retry delays
// and Retry-After divided by k, so A agents make the requests of A × k agents at the
// production 30 s intervals (reported as the equivalent fleet). Outage lengths are wall
// seconds; the re-registration time is reported in wall seconds and × k.
//   BENCH_FLEET_AGENTS (2000)  BENCH_FLEET_COMPRESSION (5)  BENCH_FLEET_RESOURCES (200)
//   BENCH_FLEET_STEADY_S (30)  BENCH_FLEET_KILL_S (20)  BENCH_FLEET_OUTAGE_S (30)
//   BENCH_FLEET_WORKERS (2 agent processes)  BENCH_FLEET_SOCKETS (1024 per process: connections at once,
//   so a burst reaches the servers' load shedding instead of queueing in the simulator)
//   BENCH_FLEET_DB (shoal_fleet; kept between runs with its enrolled nodes) BENCH_FLEET_FRESH=1 (drop it first)
//   BENCH_FLEET_CACHE (enrolled identities; default $TMPDIR/shoal-fleet-cache-<db>.json, mode 0600)
//   BENCH_FLEET_MAX_INFLIGHT (the servers' SHOAL_MAX_INFLIGHT_NODE_REQUESTS; their default if unset)
//   BENCH_FLEET_ENROLL_ONLY=1 (enroll and cache the identities, then stop: the run after it starts at once)
import { execFile, fork } from 'node:child_process';
import { randomBytes, createPrivateKey } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as B from './lib/shoal.mjs';
import { startTcpProxy } from './lib/tcp-proxy.mjs';

const AGENTS = B.envInt('BENCH_FLEET_AGENTS', 2000);
const K = B.envInt('BENCH_FLEET_COMPRESSION', 5);
const RESOURCES = B.envInt('BENCH_FLEET_RESOURCES', 200);
const STEADY_S = B.envInt('BENCH_FLEET_STEADY_S', 30);
const KILL_S = B.envInt('BENCH_FLEET_KILL_S', 20);
const OUTAGE_S = B.envInt('BENCH_FLEET_OUTAGE_S', 30);
const WORKERS = B.envInt('BENCH_FLEET_WORKERS', 2);
const SOCKETS = B.envInt('BENCH_FLEET_SOCKETS', 1024);
const DB = process.env.BENCH_FLEET_DB || 'shoal_fleet';
const CACHE = process.env.BENCH_FLEET_CACHE || join(tmpdir(), `shoal-fleet-cache-${DB}.json`);
const MAX_INFLIGHT = process.env.BENCH_FLEET_MAX_INFLIGHT;
for (const [name, v, min] of [['AGENTS', AGENTS, 1], ['COMPRESSION', K, 1], ['RESOURCES', RESOURCES, 1], ['STEADY_S', STEADY_S, 5],
  ['KILL_S', KILL_S, 1], ['OUTAGE_S', OUTAGE_S, 1], ['WORKERS', WORKERS, 1], ['SOCKETS', SOCKETS, 1]])
  if (!Number.isInteger(v) || v < min) throw new Error(`BENCH_FLEET_${name}=${v}: an integer >= ${min}`);
if (!/^[a-z][a-z0-9_]{0,40}$/.test(DB)) throw new Error(`BENCH_FLEET_DB=${DB}: lower-case letters, digits and _`);
const INTERVAL_S = 30 / K;
/** How long the bench waits for every agent to heartbeat again before it calls the run failed. */
const REREGISTER_LIMIT_S = Math.ceil(1.5 * 120 / K + 30); // 1.5 x the retry cap, plus head-room for the servers' start
const ENROLL_CONCURRENCY = 16;
const ENROLL_TOKEN_MAX_USES = 10_000; // contract LIMITS.enrollmentTokenMaxUses
const run = promisify(execFile);
const mysql = (sql) => run('mysql', ['-h', '127.0.0.1', '-u', 'root', '-N', '-B', '-e', sql]).then((r) => r.stdout);
/** The pid of a running process by its command name (/proc/<pid>/comm), or null. */
function pidOf(name) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name) return Number(d); } catch { /* gone */ }
  }
  return null;
}
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// ---- database, cache of enrolled identities
if (process.env.BENCH_FLEET_FRESH) await mysql(`DROP DATABASE IF EXISTS \`${DB}\``);
const existed = (await mysql(`SHOW DATABASES LIKE '${DB}'`)).trim() === DB;
if (!existed) await mysql(`CREATE DATABASE \`${DB}\``);
const cache = existed ? readCache() : null;

/** The cache file holds node keys and credentials: read only one this user owns and nobody else can read. */
function readCache() {
  let fd;
  try { fd = openSync(CACHE, 'r'); } catch { return null; }
  try {
    const st = fstatSync(fd);
    if (st.uid !== process.getuid() || (st.mode & 0o077) !== 0) {
      console.error(`fleet: ignoring ${CACHE}: not owned by this user with mode 0600`);
      return null;
    }
    const doc = JSON.parse(readFileSync(fd, 'utf8'));
    if (doc?.db !== DB || !Array.isArray(doc.resources) || !Array.isArray(doc.nodes)) return null;
    return doc;
  } catch (err) {
    console.error(`fleet: ignoring ${CACHE}: ${err.message}`);
    return null;
  } finally { closeSync(fd); }
}
function writeCache(doc) {
  const tmp = `${CACHE}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(doc), { mode: 0o600 });
  renameSync(tmp, CACHE);
}

// ---- two server instances behind one balancer
const redisPrefix = `shoal-fleet-${randomBytes(4).toString('hex')}:`;
const serverEnv = {
  DATABASE_URL: `mysql://root@127.0.0.1:3306/${DB}`, REDIS_URL: 'redis://127.0.0.1:6379', SHOAL_REDIS_PREFIX: redisPrefix,
  SHOAL_BUILTIN_SEED: 'off', ...(MAX_INFLIGHT ? { SHOAL_MAX_INFLIGHT_NODE_REQUESTS: MAX_INFLIGHT } : {}),
};
const ports = [await B.freePort(), await B.freePort()];
const servers = [];
const startInstance = async (i) => (servers[i] = await B.startServer({ port: ports[i], env: serverEnv }));
await startInstance(0); // the first runs the migrations; the second finds them done
await startInstance(1);
const proxy = await startTcpProxy(ports);
const url = `http://127.0.0.1:${proxy.port}`;
const admin = await B.adminToken(url);

// ---- resources and identities (enrolled once per database, then reused from the cache)
const resources = cache?.resources ?? [];
for (let i = resources.length; i < RESOURCES; i++) resources.push((await B.fakeResource(url, admin, `fleet-${i}`)).id);
const soon = Date.now() + 3_600_000;
const nodes = (cache?.nodes ?? []).filter((n) => Date.parse(n.credentialExpiresAt) > soon);
const missing = AGENTS - nodes.length;
let enrollS = 0;
if (missing > 0) {
  console.error(`fleet: enrolling ${missing} nodes (${nodes.length} reused from ${CACHE})`);
  const t0 = Date.now();
  // Reusable tokens, as ops would hand out for a fleet. Each enrollment takes a use of its
  // token in a transaction (a row lock), so several tokens let enrollments run side by side.
  const tokenCount = Math.max(Math.ceil(missing / ENROLL_TOKEN_MAX_USES), Math.min(ENROLL_CONCURRENCY, Math.ceil(missing / 100)));
  const tokens = [];
  for (let t = 0; t < tokenCount; t++)
    tokens.push((await B.api(url, 'POST', '/api/admin/enrollment-tokens', { role: 'client', maxUses: Math.ceil(missing / tokenCount) }, admin)).token);
  let next = 0;
  const worker = async () => {
    while (next < missing) {
      const j = next++;
      const i = AGENTS - missing + j;
      const e = await B.enrollNode(url, { token: tokens[j % tokenCount], name: `fleet-${i}-${randomBytes(3).toString('hex')}`,
        address: `10.${200 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}:7070` });
      nodes.push({ nodeId: e.nodeId, credential: e.credential, credentialExpiresAt: e.credentialExpiresAt,
        key: e.key.export({ format: 'der', type: 'pkcs8' }).toString('base64') });
    }
  };
  await Promise.all(Array.from({ length: ENROLL_CONCURRENCY }, worker));
  enrollS = (Date.now() - t0) / 1000;
  writeCache({ db: DB, resources, nodes });
  console.error(`fleet: enrolled in ${B.round(enrollS, 1)} s`);
} else if (!cache || resources.length > cache.resources.length) writeCache({ db: DB, resources, nodes });
if (process.env.BENCH_FLEET_ENROLL_ONLY) {
  console.error(`fleet: ${nodes.length} identities in ${CACHE}; BENCH_FLEET_ENROLL_ONLY: no run`);
  proxy.close();
  await Promise.all(servers.map((s) => s.stop()));
  process.exit(0);
}
if (nodes[0]) createPrivateKey({ key: Buffer.from(nodes[0].key, 'base64'), format: 'der', type: 'pkcs8' }); // a broken cache fails here, not in a worker

// ---- the fleet
const fleet = nodes.slice(0, AGENTS).map((n, i) => ({ nodeId: n.nodeId, credential: n.credential, key: n.key,
  resourceId: resources[i % RESOURCES], address: `10.${200 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}:7070` }));
/** second -> totals over every agent process */
const seconds = new Map();
const workers = [];
let mark = 0;
function merge(w, m) {
  for (const s of m.seconds) {
    let t = seconds.get(s.sec);
    if (!t) seconds.set(s.sec, (t = { hb: { ok: 0, s429: 0, s503: 0, other: 0, conn: 0 }, ann: { ok: 0, s429: 0, s503: 0, other: 0, conn: 0 }, lat: [], otherSample: null, connSample: null }));
    for (const kind of ['hb', 'ann']) for (const o of Object.keys(t[kind])) t[kind][o] += s[kind][o];
    for (const l of s.lat) t.lat.push(l);
    t.otherSample ??= s.otherSample;
    t.connSample ??= s.connSample;
  }
  w.behind = m.behind;
  w.mark = m.mark;
}
for (let i = 0; i < WORKERS; i++) {
  const child = B.track(fork(join(B.REPO, 'bench/lib/fleet-agents.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const w = { child, behind: 0, mark: 0 };
  child.on('message', (m) => { if (m.type === 'seconds') merge(w, m); });
  workers.push(w);
}
const slice = Math.ceil(AGENTS / WORKERS);
await Promise.all(workers.map((w, i) => new Promise((ok) => {
  w.child.once('message', ok);
  w.child.send({ type: 'start', cfg: { host: '127.0.0.1', port: proxy.port, k: K, sockets: SOCKETS, pieces: 4 }, identities: fleet.slice(i * slice, (i + 1) * slice) });
})));
console.error(`fleet: ${AGENTS} agents started in ${WORKERS} processes, k=${K} (intervals ${INTERVAL_S} s, equivalent fleet ${AGENTS * K})`);

/** Agents with no successful heartbeat since the mark; null until every process has reported since it. */
const behind = () => (workers.every((w) => w.mark === mark) ? workers.reduce((n, w) => n + w.behind, 0) : null);
function setMark() {
  mark = Date.now();
  for (const w of workers) w.child.send({ type: 'mark', at: mark });
  return mark;
}
async function waitReregistered(limitS) {
  const t0 = Date.now();
  while (Date.now() - t0 < limitS * 1000) {
    if (behind() === 0) return Date.now();
    await B.sleep(250);
  }
  return null;
}

// ---- machine sampling: servers, MariaDB, Redis, the agent processes, once a second
const mariadbPid = pidOf('mariadbd') ?? pidOf('mysqld');
const redisPid = pidOf('redis-server');
async function dbStatus() {
  const out = await mysql("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions','Threads_running','Threads_connected')");
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split('\t')).map(([k, v]) => [k, Number(v)]));
}
async function redisStats() {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'INFO', 'stats']);
  const get = (k) => Number(stdout.match(new RegExp(`^${k}:(\\d+)`, 'm'))?.[1] ?? NaN);
  return { totalCommands: get('total_commands_processed'), opsPerSec: get('instantaneous_ops_per_sec') };
}
const samples = [];
let prevCpu = null;
const sampler = setInterval(async () => {
  const cpu = {
    servers: servers.map((s) => (s.child.exitCode === null && s.child.signalCode === null ? B.cpuMsOf(s.child.pid) : null)),
    serverPids: servers.map((s) => s.child.pid),
    mariadb: mariadbPid ? B.cpuMsOf(mariadbPid) : 0, redis: redisPid ? B.cpuMsOf(redisPid) : 0,
    agents: workers.reduce((n, w) => n + B.cpuMsOf(w.child.pid), 0), at: Date.now(),
  };
  const sample = { sec: Math.floor(cpu.at / 1000), rss: servers.map((s) => B.vmRSS(s.child.pid)) };
  if (prevCpu) {
    const dt = cpu.at - prevCpu.at;
    const d = (a, b) => (a === null || b === null ? null : B.round((a - b) / dt, 2));
    // a restarted instance is a new pid: no delta across it
    sample.serverCores = cpu.servers.map((c, i) => (cpu.serverPids[i] === prevCpu.serverPids[i] ? d(c, prevCpu.servers[i]) : null));
    sample.mariadbCores = d(cpu.mariadb, prevCpu.mariadb);
    sample.redisCores = d(cpu.redis, prevCpu.redis);
    sample.agentCores = d(cpu.agents, prevCpu.agents);
  }
  prevCpu = cpu;
  try { sample.db = await dbStatus(); sample.redis = await redisStats(); } catch (err) { sample.error = err.message; }
  samples.push(sample);
}, 1000);

// ---- phases
const phases = [];
const phase = (name) => { phases.push({ name, at: Date.now(), loadavg: loadavg() }); console.error(`fleet: ${name} (load ${loadavg()})`); };
const sec = (ms) => Math.floor(ms / 1000);
const killInstance = async (i) => {
  const c = servers[i].child;
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await gone;
};

phase('warm-up');
// every agent's timers start at a random point of their first interval: one interval in, the fleet is steady
await B.sleep(Math.max(10, INTERVAL_S + 5) * 1000);
phase('steady');
const steadyFrom = Date.now();
await B.sleep(STEADY_S * 1000);
const steadyTo = Date.now();

phase('kill one instance');
const killMark = setMark();
await killInstance(1);
// the agents of the lost instance come back through the balancer to the other one
const killAllBackP = waitReregistered(REREGISTER_LIMIT_S);
await B.sleep(KILL_S * 1000);
phase('restart it');
await startInstance(1);
const killRestarted = Date.now();
const killAllBack = await killAllBackP;
await B.sleep(INTERVAL_S * 1000);

phase('full outage');
const outageMark = setMark();
await Promise.all([killInstance(0), killInstance(1)]);
await B.sleep(OUTAGE_S * 1000);
phase('restart both');
await Promise.all([startInstance(0), startInstance(1)]);
const outageRestarted = Date.now();
const outageAllBack = await waitReregistered(REREGISTER_LIMIT_S);
await B.sleep(INTERVAL_S * 1000);
phase('done');
const endAt = Date.now();

clearInterval(sampler);
await Promise.all(workers.map((w) => new Promise((ok) => { w.child.once('exit', ok); w.child.send({ type: 'stop' }); })));
proxy.close();
await Promise.all(servers.map((s) => s.stop()));
// this run's Redis keys (swarms, throttles) go with it; the database stays for the next run's cache
const { stdout: keys } = await run('redis-cli', ['-h', '127.0.0.1', '-p', '6379', '--scan', '--pattern', `${redisPrefix}*`], { maxBuffer: 64 * B.MiB });
const keyList = keys.split('\n').filter(Boolean);
for (let i = 0; i < keyList.length; i += 1000) await run('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'DEL', ...keyList.slice(i, i + 1000)]);

// ---- figures
const answered = (t) => t.hb.ok + t.hb.s429 + t.hb.s503 + t.hb.other + t.ann.ok + t.ann.s429 + t.ann.s503 + t.ann.other;
const secondsIn = (fromMs, toMs) => { const out = []; for (let s = sec(fromMs); s < sec(toMs); s++) out.push([s, seconds.get(s)]); return out; };
function window(fromMs, toMs) {
  const secs = secondsIn(fromMs, toMs);
  const n = secs.length || 1;
  const sum = (f) => secs.reduce((a, [, t]) => a + (t ? f(t) : 0), 0);
  const lat = secs.flatMap(([, t]) => t?.lat ?? []);
  const smp = samples.filter((x) => x.sec >= sec(fromMs) && x.sec < sec(toMs));
  const avg = (f) => { const v = smp.map(f).filter((x) => typeof x === 'number' && !Number.isNaN(x)); return v.length ? B.round(v.reduce((a, b) => a + b, 0) / v.length, 2) : null; };
  const max = (f) => { const v = smp.map(f).filter((x) => typeof x === 'number' && !Number.isNaN(x)); return v.length ? Math.max(...v) : null; };
  const first = smp.find((x) => x.db && x.redis), last = smp.findLast((x) => x.db && x.redis);
  const span = first && last && last.sec > first.sec ? last.sec - first.sec : null;
  return {
    seconds: secs.length,
    answeredPerS: B.round(sum(answered) / n, 0),
    // the busiest second, for scale: a peak is compared with the mean, which has its own spread
    busiestSecondAnswered: secs.reduce((m, [, t]) => Math.max(m, t ? answered(t) : 0), 0),
    okPerS: B.round(sum((t) => t.hb.ok + t.ann.ok) / n, 0),
    heartbeatsOkPerS: B.round(sum((t) => t.hb.ok) / n, 0), announcesOkPerS: B.round(sum((t) => t.ann.ok) / n, 0),
    latencyMs: { p50: B.percentile(lat, 50), p99: B.percentile(lat, 99), max: lat.length ? Math.max(...lat) : null },
    errors: { s429: sum((t) => t.hb.s429 + t.ann.s429), s503: sum((t) => t.hb.s503 + t.ann.s503), otherNon2xx: sum((t) => t.hb.other + t.ann.other),
      connection: sum((t) => t.hb.conn + t.ann.conn), samples: [...new Set(secs.flatMap(([, t]) => [t?.otherSample, t?.connSample]).filter(Boolean))].slice(0, 5) },
    serverCores: [0, 1].map((i) => avg((x) => x.serverCores?.[i])),
    serverRssMiB: [0, 1].map((i) => { const m = max((x) => x.rss[i]); return m === null ? null : B.round(m / B.MiB, 0); }),
    mariadb: { cores: avg((x) => x.mariadbCores), questionsPerS: span ? B.round((last.db.Questions - first.db.Questions) / span, 0) : null,
      threadsRunningAvg: avg((x) => x.db?.Threads_running), threadsRunningMax: max((x) => x.db?.Threads_running), threadsConnectedMax: max((x) => x.db?.Threads_connected) },
    redis: { cores: avg((x) => x.redisCores), commandsPerS: span ? B.round((last.redis.totalCommands - first.redis.totalCommands) / span, 0) : null,
      instantaneousOpsPerSAvg: avg((x) => x.redis?.opsPerSec) },
    agentProcessCores: avg((x) => x.agentCores),
    // what sizing needs: CPU of both instances per answered request
    serverCpuMsPerRequest: (() => { const c = [0, 1].map((i) => avg((x) => x.serverCores?.[i])); const r = sum(answered) / n;
      return c.some((x) => x === null) || !r ? null : B.round(((c[0] + c[1]) * 1000) / r, 2); })(),
  };
}
/**
 * A disruption: how long from `backFrom` until every agent had heartbeated successfully
 * since `markAt`, and the per-second request rate from `peakFrom` until one interval
 * after that (or after `until`, whichever is later).
 */
function disruption(name, { markAt, peakFrom, backFrom, allBackAt, until }, steadyRate) {
  const to = Math.max(allBackAt ?? endAt, until) + INTERVAL_S * 1000;
  const secs = secondsIn(peakFrom, to).map(([s, t]) => ({ s, answered: t ? answered(t) : 0 }));
  const peak = secs.reduce((m, x) => Math.max(m, x.answered), 0);
  const back = allBackAt ? Math.max(0, (allBackAt - backFrom) / 1000) : null;
  return {
    name,
    allReregisteredS: back === null ? null : B.round(back, 1),
    allReregisteredEquivalentS: back === null ? null : B.round(back * K, 0),
    peakAnsweredPerS: peak, peakOverSteady: B.round(peak / steadyRate, 2), secondsOverTwiceSteady: secs.filter((x) => x.answered > 2 * steadyRate).length,
    window: window(markAt, to),
  };
}
const steady = window(steadyFrom, steadyTo);
const kill = disruption(`one instance killed, restarted after ${KILL_S} s; re-registration counted from the kill`,
  { markAt: killMark, peakFrom: killMark, backFrom: killMark, allBackAt: killAllBack, until: killRestarted }, steady.answeredPerS);
const outage = disruption(`both killed, restarted together after ${OUTAGE_S} s; re-registration counted from the restart`,
  { markAt: outageMark, peakFrom: outageRestarted, backFrom: outageRestarted, allBackAt: outageAllBack, until: outageRestarted }, steady.answeredPerS);
const t0 = sec(phases[0].at);
const timeline = secondsIn(phases[0].at, endAt).map(([s, t]) => t ? `${s - t0}:${answered(t)}/${t.hb.ok + t.ann.ok}/${t.hb.conn + t.ann.conn}` : `${s - t0}:0/0/0`);
const met = kill.secondsOverTwiceSteady === 0 && outage.secondsOverTwiceSteady === 0 && kill.allReregisteredS !== null && outage.allReregisteredS !== null
  && steady.errors.otherNon2xx === 0 && steady.errors.connection === 0;
B.writeResult('fleet', {
  params: { agents: AGENTS, compression: K, intervalS: INTERVAL_S, equivalentFleet: AGENTS * K, resources: RESOURCES, steadyS: STEADY_S, killS: KILL_S, outageS: OUTAGE_S,
    agentProcesses: WORKERS, socketsPerProcess: SOCKETS, db: `mariadb ${DB}`, redis: 'redis 127.0.0.1:6379', instances: 2,
    maxInflightNodeRequests: MAX_INFLIGHT ?? 'default', enrolledThisRun: Math.max(0, missing), enrollS: B.round(enrollS, 1) },
  phases: phases.map((p) => ({ ...p, atS: B.round((p.at - phases[0].at) / 1000, 1) })),
  steady, kill, outage,
  timelineLegend: 'second since warm-up: answered/ok/connection errors',
  timeline,
  target: 'no second of a reconnect above 2 x the steady rate; every agent back; no unexpected errors at steady state',
  met,
});
process.exit(0);
