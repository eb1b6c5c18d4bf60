// `npm run bench`: every benchmark in turn with its defaults (sized for about 15 minutes on
// a 2-core machine), each writing bench/results/<name>-latest.json, then one summary.
// BENCH_ONLY="hash link" picks some; every benchmark's own env vars still apply.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, RESULTS_DIR } from './lib/shoal.mjs';

const all = ['hash', 'link', 'memory', 'tracker', 'search', 'fleet', 'swarm'];
const only = (process.env.BENCH_ONLY || all.join(' ')).split(/\s+/).filter(Boolean);
if (!existsSync(join(REPO, 'server/dist/main.js')) || !existsSync(join(REPO, 'agent/dist'))) {
  console.error('building server and agent first (npm run build:core)');
  spawnSync('npm', ['run', 'build:core'], { cwd: REPO, stdio: 'inherit' });
}
const status = {};
const t0 = Date.now();
for (const name of only) {
  if (name === 'swarm' && process.getuid?.() !== 0) { status[name] = 'skipped (needs root for network namespaces)'; continue; }
  const s0 = Date.now();
  console.error(`\n===== bench:${name} =====`);
  const r = spawnSync(process.execPath, [join(REPO, 'bench', `${name}.mjs`)], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  status[name] = r.status === 0 ? `ok in ${Math.round((Date.now() - s0) / 1000)} s` : `FAILED (exit ${r.status ?? r.signal})`;
}
console.log(`\nbench summary (${Math.round((Date.now() - t0) / 1000)} s); results in ${RESULTS_DIR}`);
for (const name of only) {
  const f = join(RESULTS_DIR, `${name}-latest.json`);
  const doc = existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null;
  const fresh = doc && Date.parse(doc.at) >= t0;
  console.log(`${name.padEnd(8)} ${status[name]}${fresh ? `  target: ${doc.target} -> ${doc.met ? 'met' : 'MISSED'}` : ''}`);
}
process.exit(Object.values(status).some((s) => s.startsWith('FAILED')) ? 1 : 0);
