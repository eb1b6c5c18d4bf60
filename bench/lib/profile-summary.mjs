// Prints the top self-time functions of a .cpuprofile (node --cpu-prof): node bench/lib/profile-summary.mjs FILE [N]
import { readFileSync } from 'node:fs';
const [file, n = '25'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const self = new Map();
const dt = prof.timeDeltas; let total = 0;
prof.samples.forEach((id, i) => { const d = dt[i] ?? 0; total += d; self.set(id, (self.get(id) ?? 0) + d); });
const agg = new Map();
for (const [id, t] of self) {
  const cf = byId.get(id).callFrame;
  const key = `${cf.functionName || '(anon)'} ${cf.url.replace(/^.*\/(agent|server|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;
  agg.set(key, (agg.get(key) ?? 0) + t);
}
console.log(`total ${(total / 1e6).toFixed(2)} s sampled`);
for (const [k, t] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${(100 * t / total).toFixed(1).padStart(5)}%  ${(t / 1e3).toFixed(0).padStart(6)} ms  ${k}`);
