// Helpers shared by the benchmarks: start the real server and real agents as separate
// processes (exactly as an operator would), plus statistics and result files.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeProofHeaders, signNodeProof } from '../../contract/dist/index.js';

export { signNodeProof };

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHOAL_BIN = join(REPO, 'agent/bin/shoal.js');
const SERVER_MAIN = join(REPO, 'server/dist/main.js');
export const ADMIN_PASSWORD = 'bench-admin-password-1';
export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? join(REPO, 'bench/results');

const children = new Set();
const tempDirs = new Set();
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { cleanup(); process.exit(130); });

/** A temp dir removed when the bench exits. BENCH_TMP picks the file system (default /tmp). */
export function tempDir(label) {
  const base = process.env.BENCH_TMP ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const d = mkdtempSync(join(base, `shoal-bench-${label}-`));
  tempDirs.add(d);
  return d;
}
export function forget(dir) { rmSync(dir, { recursive: true, force: true }); tempDirs.delete(dir); }

export function track(child) { children.add(child); child.on('exit', () => children.delete(child)); return child; }

export async function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => { const p = srv.address().port; srv.close(() => ok(p)); });
  });
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts `node server/dist/main.js` on loopback with a fresh data dir. */
export async function startServer({ env = {}, nodeArgs = [], host = '127.0.0.1', port } = {}) {
  port ??= await freePort();
  const dataDir = tempDir('server');
  const url = `http://${host}:${port}`;
  let out = '';
  const child = track(spawn(process.execPath, [...nodeArgs, SERVER_MAIN], {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), HOST: host, SHOAL_DATA_DIR: dataDir, SHOAL_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SHOAL_PUBLIC_URL: url, SHOAL_LOG_LEVEL: 'warn', DATABASE_URL: '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  child.stdout.on('data', (d) => { out = (out + d).slice(-20000); });
  child.stderr.on('data', (d) => { out = (out + d).slice(-20000); });
  const t0 = Date.now();
  while (Date.now() - t0 < 120_000) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}:\n${out}`);
    try { if ((await fetch(`${url}/health`)).ok) break; } catch { /* not yet */ }
    await sleep(100);
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await done; clearTimeout(t);
  };
  return { url, port, dataDir, child, output: () => out, stop };
}

/** `token` is a user token, or `{ credential, key }` for a node call (a fresh proof signed with the node key). */
export async function api(url, method, path, body, token, retry = 1) {
  let res;
  const auth = !token ? {} : typeof token === 'string' ? { authorization: `Bearer ${token}` }
    : await nodeProofHeaders({ credential: token.credential, key: token.key, method, url: path });
  try {
    res = await fetch(url + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...auth },
    body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    // a kept-alive socket the server closed while idle (its 5 s keep-alive timeout): once more
    if (retry > 0 && err?.cause?.code === 'UND_ERR_SOCKET') return api(url, method, path, body, token, retry - 1);
    throw err;
  }
  const text = await res.text();
  let json; try { json = JSON.parse(text); } catch { json = text; }
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return json;
}
/**
 * Enrolls one node with a fresh Ed25519 key: with an enrollment token (`{ token }`) or a
 * user token (`{ userToken }`). Resolves the enroll answer plus the key (a KeyObject).
 */
export async function enrollNode(url, { token, userToken, name, role = 'client', address }) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  const body = { ...(token ? { token } : {}), name, role, addresses: [address], publicKey: { kty: 'OKP', crv: 'Ed25519', x } };
  return { ...(await api(url, 'POST', '/api/nodes/enroll', body, userToken)), key: privateKey };
}

/** A resource of `pieces` 1 MiB pieces with random hashes: for benches that announce, not transfer. */
export async function fakeResource(url, token, name, pieces = 4) {
  const pieceSize = 1 << 20;
  const pieceHashes = Array.from({ length: pieces }, () => randomBytes(32).toString('hex'));
  return api(url, 'POST', '/api/admin/resources',
    { name, totalSize: pieces * pieceSize, pieceSize, files: [{ path: 'x.bin', size: pieces * pieceSize }], pieceHashes }, token);
}

export async function adminToken(url) {
  return (await api(url, 'POST', '/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).accessToken;
}

/** Runs one `shoal` command to completion; resolves with code/stdout/stderr (throws on non-zero unless allowFail). */
export function shoal(dataDir, args, { input, nodeArgs = [], allowFail = false, onStdout, onSpawn } = {}) {
  return new Promise((ok, fail) => {
    const child = track(spawn(process.execPath, [...nodeArgs, SHOAL_BIN, '--data-dir', dataDir, ...args], {
      cwd: REPO, env: { ...process.env, SHOAL_HOME: '' }, stdio: ['pipe', 'pipe', 'pipe'],
    }));
    onSpawn?.(child);
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; onStdout?.(String(d)); if (out.length > 1e6) out = out.slice(-200000); });
    child.stderr.on('data', (d) => { err = (err + d).slice(-20000); });
    child.stdin.end(input ?? '');
    child.on('exit', (code, signal) => {
      const r = { code, signal, stdout: out, stderr: err, pid: child.pid };
      if (code !== 0 && !allowFail) fail(new Error(`shoal ${args[0]} failed (${code ?? signal}): ${err.slice(-2000)}`));
      else ok(r);
    });
  });
}
/** Spawns a long-running `shoal` command (serve, get --seed-time forever). */
export function shoalSpawn(dataDir, args, { nodeArgs = [] } = {}) {
  const child = track(spawn(process.execPath, [...nodeArgs, SHOAL_BIN, '--data-dir', dataDir, ...args], {
    cwd: REPO, env: { ...process.env, SHOAL_HOME: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let out = '', err = '';
  child.stdout.on('data', (d) => { out = (out + d).slice(-100000); });
  child.stderr.on('data', (d) => { err = (err + d).slice(-20000); });
  const done = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, done, stdout: () => out, stderr: () => err };
}

/** An enrolled + logged-in seed agent with content published (no seeding yet). */
export async function seedWithContent(server, contentPath, { name = 'bench', pieceSize, listen = '127.0.0.1:0' } = {}) {
  const token = await adminToken(server.url);
  const dataDir = tempDir('seed');
  const t = await api(server.url, 'POST', '/api/admin/enrollment-tokens', { role: 'seed' }, token);
  await shoal(dataDir, ['enroll', '--server', server.url, '--token', t.token, '--role', 'seed', '--name', 'seed-1', '--listen', listen]);
  await shoal(dataDir, ['login', '--server', server.url, '--user', 'admin', '--password-stdin'], { input: `${ADMIN_PASSWORD}\n` });
  const args = ['publish', contentPath, '--name', name, '--seed-time', '0', '--json'];
  if (pieceSize) args.push('--piece-size', String(pieceSize));
  const t0 = process.hrtime.bigint();
  const pub = await shoal(dataDir, args);
  const publishS = Number(process.hrtime.bigint() - t0) / 1e9;
  const line = pub.stdout.split('\n').find((l) => l.includes('"published"'));
  const resourceId = JSON.parse(line).resourceId;
  return { dataDir, resourceId, publishS, token };
}

export async function waitSeedOnline(server, token, resourceId, timeoutMs = 30_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const d = await api(server.url, 'GET', `/api/resources/${resourceId}`, undefined, token);
    if (d.seedCount >= 1) return;
    await sleep(200);
  }
  throw new Error('seed never came online');
}

export async function loggedInAgent(server, label) {
  const dataDir = tempDir(label);
  await shoal(dataDir, ['login', '--server', server.url, '--user', 'admin', '--password-stdin'], { input: `${ADMIN_PASSWORD}\n` });
  return dataDir;
}

/** Random file of `bytes` (written in 8 MiB blocks from one random block rotated, fast). */
export function makeRandomFile(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  execFileSync('bash', ['-c', `head -c ${bytes} /dev/urandom > '${path}'`]);
}

export function median(xs) { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; }
export function percentile(xs, p) { const s = [...xs].sort((a, b) => a - b); if (!s.length) return NaN; return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; }
export const GiB = 1024 ** 3, MiB = 1024 ** 2;
export const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
export function envInt(name, def) { const v = process.env[name]; return v === undefined || v === '' ? def : Number(v); }

function machine() {
  let commit = '';
  try { commit = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD']).toString().trim(); } catch { /* no git */ }
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: round(totalmem() / GiB, 1), node: process.version, commit, loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') };
}

/** Writes bench/results/<name>-<timestamp>.json and <name>-latest.json. */
export function writeResult(name, result) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const doc = { bench: name, at: new Date().toISOString(), command: process.env.BENCH_COMMAND ?? process.argv.slice(1).join(' '), machine: machine(), ...result };
  const text = JSON.stringify(doc, null, 2) + '\n';
  writeFileSync(join(RESULTS_DIR, `${name}-${stamp}.json`), text);
  writeFileSync(join(RESULTS_DIR, `${name}-latest.json`), text);
  console.log(text);
  return doc;
}

/** Peak RSS (VmHWM, bytes) of a live pid. */
export function vmHWM(pid) {
  try { const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/); return m ? Number(m[1]) * 1024 : 0; } catch { return 0; }
}
export function vmRSS(pid) {
  try { const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/); return m ? Number(m[1]) * 1024 : 0; } catch { return 0; }
}
/** Drops clean page cache pages of one file (posix_fadvise DONTNEED via dd). */
function dropFileCache(path) {
  try { execFileSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']); } catch { /* best effort */ }
}

/** CPU time (user + system, ms) a process has used so far; 0 once it is gone. */
export function cpuMsOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
  } catch {
    return 0;
  }
}

/** CPU time (ms) of this process's children that have exited and been waited for. */
export function exitedChildrenCpuMs() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}
