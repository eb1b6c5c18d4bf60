// Prints a markdown summary of bench/results/*-latest.json (paste into docs/benchmarks.md).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './lib/shoal.mjs';

const load = (n) => { const f = join(RESULTS_DIR, `${n}-latest.json`); return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null; };
const out = [];
const f1 = (x) => (typeof x === 'number' ? Math.round(x * 10) / 10 : x);
const head = (d) => `_${d.at}, commit ${d.machine.commit}, load average at start ${d.machine.loadavg}_`;
const sw = load('swarm');
if (sw) {
  out.push('### 1. Swarm distribution time', head(sw), '', '| N | file | D (bound) | Shoal | aria2 BT | plain HTTP | Shoal target 1.25 x D |', '|---|---|---|---|---|---|---|');
  const key = (r) => `${r.n}:${r.fileMiB}`;
  for (const k of [...new Set(sw.results.map(key))]) {
    const rs = sw.results.filter((r) => key(r) === k);
    const cell = (s) => { const r = rs.find((x) => x.system === s); return !r ? 'not run' : r.maxSMedian == null ? `failed (${r.okReps})` : `${r.maxSMedian} s = **${r.ratioMedian} x D** (${r.ratioRange?.join('-')})`; };
    const s = rs.find((x) => x.system === 'shoal');
    out.push(`| ${rs[0].n} | ${rs[0].fileMiB} MiB | ${rs[0].boundS} s | ${cell('shoal')} | ${cell('aria2-bt')} | ${cell('http')} | ${s?.ratioMedian != null && s.ratioMedian <= 1.25 ? 'met' : 'missed'} |`);
  }
  out.push('');
}
const li = load('link');
if (li) out.push('### 2. Single link, loopback', head(li), '', `| | median | runs (GB/s) |`, '|---|---|---|',
  `| Shoal get (TLS, verified, to disk) | ${li.median_GBps.shoal} GB/s | ${li.runs.shoal.map((r) => r.GBps).join(', ')} |`,
  `| nginx -> curl (to disk) | ${li.median_GBps.http_nginx_curl} GB/s | ${li.runs.http.map((r) => r.GBps).join(', ')} |`,
  '', `Ratio **${li.ratio}** (target >= 0.60): ${li.met ? 'met' : 'missed'}. ${li.params.MiB} MiB, ${li.params.reps} alternating reps.`, '');
const ha = load('hash');
if (ha) out.push('### 3. Publish hashing', head(ha), '', '| | median GB/s | runs |', '|---|---|---|',
  ...Object.entries(ha.runs).map(([k, v]) => `| ${k} | ${ha.median_GBps[k]} | ${v.map((r) => r.GBps).join(', ')} |`),
  '', `Shoal / openssl = **${ha.ratio_vs_openssl}** (target > 1): ${ha.met ? 'met' : 'missed'}. ${ha.params.MiB} MiB.`, '');
const me = load('memory');
if (me) out.push('### 4. Agent memory', head(me), '', '| download | peak RSS | time | rate |', '|---|---|---|---|',
  `| (floor: \`shoal status\`) | ${me.floor.peakRssMB} MB | | |`,
  ...me.results.map((r) => `| ${r.MiB} MiB | **${r.peakRssMB} MB** | ${r.seconds} s | ${r.MBps} MB/s |`),
  '', `Growth ${me.growthMB} MB (target <= 200 MB, flat): ${me.met ? 'met' : 'missed'}.`, '');
const tr = load('tracker');
if (tr) out.push('### 5. Tracker', head(tr), '', '| | announces/s (median) | p50 | p99 |', '|---|---|---|---|',
  `| Shoal POST /api/tracker/announce | **${f1(tr.median.shoal_announce_rps)}** | ${f1(tr.median.shoal_announce_p50_ms)} ms | **${f1(tr.median.shoal_announce_p99_ms)} ms** |`,
  `| opentracker GET /announce | ${f1(tr.median.opentracker_rps)} | | ${f1(tr.median.opentracker_p99_ms)} ms |`,
  `| Shoal GET /health (framework floor) | ${tr.runs.shoal_health[0]?.rps} | | ${tr.runs.shoal_health[0]?.p99} |`,
  '', `Target >= 5000/s, p99 <= 50 ms: ${tr.met ? 'met' : 'missed'}. ${JSON.stringify(tr.params)}`, '');
const se = load('search');
if (se) {
  out.push('### 6. Catalog search', head(se), '', `${se.params.rows} resources; p50 / p95 in ms (sequential requests, keep-alive).`, '');
  const dbs = Object.keys(se.results);
  out.push(`| request | ${dbs.map((d) => `${d} p50 / **p95**`).join(' | ')} |`, `|---|${dbs.map(() => '---').join('|')}|`);
  out.push(`| baseline GET /api/auth/me | ${dbs.map((d) => (se.results[d].baseline_auth_me ? `${se.results[d].baseline_auth_me.p50} / ${se.results[d].baseline_auth_me.p95}` : 'not recorded')).join(' | ')} |`);
  for (const q of Object.keys(se.results[dbs[0]].queries)) out.push(`| ${q} (total ${se.results[dbs[0]].queries[q].total}) | ${dbs.map((d) => { const x = se.results[d].queries[q]; return !x ? '-' : x.notMeasured ? 'not measured' : `${x.p50} / **${x.p95}**`; }).join(' | ')} |`);
  out.push('', `Load time: ${dbs.map((d) => `${d} ${se.results[d].loadSeconds} s (${se.results[d].tokens} tokens)`).join(', ')}. Worst p95 ${se.worstP95Ms} ms (target <= 50): ${se.met ? 'met' : 'missed'}.`, '');
}
const fl = load('fleet');
if (fl) {
  const p = fl.params, st = fl.steady;
  out.push('### Fleet', head(fl), '',
    `${p.agents} simulated agents, intervals ${p.intervalS} s (time compressed ${p.compression} x: the request rate of ${p.equivalentFleet} agents at 30 s), ${p.resources} resources, 2 instances behind a TCP balancer, MariaDB + Redis.`, '',
    '| steady state | |', '|---|---|',
    `| requests/s answered (ok) | **${st.answeredPerS}** (${st.okPerS}); busiest second ${st.busiestSecondAnswered} |`,
    `| latency p50 / p99 | ${st.latencyMs.p50} ms / **${st.latencyMs.p99} ms** |`,
    `| server CPU (cores) / RSS | ${st.serverCores.join(' + ')} (${st.serverCpuMsPerRequest} ms per request) / ${st.serverRssMiB.join(', ')} MiB |`,
    `| MariaDB | ${st.mariadb.questionsPerS} questions/s, ${st.mariadb.cores} cores, Threads_running avg ${st.mariadb.threadsRunningAvg} (max ${st.mariadb.threadsRunningMax}) |`,
    `| Redis | ${st.redis.commandsPerS} commands/s, ${st.redis.cores} cores |`,
    `| simulator | ${st.agentProcessCores} cores |`,
    `| errors | 429: ${st.errors.s429}, 503: ${st.errors.s503}, other non-2xx: ${st.errors.otherNon2xx}, connection: ${st.errors.connection} |`,
    '', '| disruption | all agents heartbeated again | peak second / steady | seconds above 2 x steady | 429 / 503 / other / connection errors |', '|---|---|---|---|---|',
    ...[fl.kill, fl.outage].map((d) => `| ${d.name} | ${d.allReregisteredS ?? 'not within the limit'} s (x ${p.compression} = ${d.allReregisteredEquivalentS} s at 30 s intervals) | ${d.peakAnsweredPerS}/s = **${d.peakOverSteady} x** | ${d.secondsOverTwiceSteady} | ${d.window.errors.s429} / ${d.window.errors.s503} / ${d.window.errors.otherNon2xx} / ${d.window.errors.connection} |`),
    '', `Target (${fl.target}): ${fl.met ? 'met' : 'missed'}.`, '');
}
console.log(out.join('\n'));
