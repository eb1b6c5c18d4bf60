// Server CPU per API request (user + system of the server process / requests answered),
// wrk with 16 connections for 5 s per route: /health/live (framework floor), /health
// (one SELECT 1), an authenticated catalog page, with a session and with an API token
// (its row read by id on every request). PROF=1 writes a --cpu-prof profile to
// /tmp/prof. `node bench/api-cost.mjs`; compare builds by running it in each checkout.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as B from './lib/shoal.mjs';
const prof = process.env.PROF === '1';
const server = await B.startServer({ nodeArgs: prof ? ['--cpu-prof', '--cpu-prof-dir', '/tmp/prof', '--cpu-prof-name', 'health.cpuprofile'] : [] });
const token = await B.adminToken(server.url);
const apiToken = (await B.api(server.url, 'POST', '/api/me/tokens', { name: 'bench', scopes: ['catalog:read'], expiresInDays: 1 }, token)).token;
const cpuMs = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
function run(path, hdr, label = hdr ? '(auth)' : '') {
  const c0 = cpuMs(server.child.pid);
  const r = spawnSync('wrk', ['-t1', '-c16', '-d5s', ...(hdr ? ['-H', hdr] : []), server.url + path], { encoding: 'utf8' });
  const cpu = cpuMs(server.child.pid) - c0;
  const n = Number(r.stdout.match(/(\d+) requests in/)?.[1] ?? 0);
  const non2xx = r.stdout.match(/Non-2xx.*/)?.[0] ?? '';
  console.log(path, label, 'requests', n, 'cpu µs/req', Math.round(cpu * 1000 / n), non2xx);
}
run('/health/live'); run('/health/live'); run('/health'); run('/api/resources', `Authorization: Bearer ${token}`, '(session)');
run('/api/resources', `Authorization: Bearer ${apiToken}`, '(API token)'); run('/api/resources', `Authorization: Bearer ${token}`, '(session)');
run('/api/resources', `Authorization: Bearer ${apiToken}`, '(API token)');
await server.stop();
process.exit(0);
