// Benchmark 6: catalog search at scale. ROWS resources (with their word tokens) bulk-loaded
// straight into the server's own tables (after its migrations created them), on SQLite and
// on MySQL/MariaDB (schema shoal_bench_<random>, dropped afterwards). Then, through the
// real HTTP API, one request at a time with keep-alive: name searches of several
// selectivities, description words and tags (40 % of rows described, 25 % tagged), and the first
// browse page (default sort), p50/p95 over many requests.
// Baseline in the same run: GET /api/auth/me on the same server (auth + framework floor).
//   BENCH_SEARCH_ROWS (default 200000; the issue's figure: 1000000)  BENCH_SEARCH_QUERY_BUDGET_S (10)
//   BENCH_SEARCH_DBS ("sqlite mysql")  BENCH_SEARCH_REQS (100)
//   BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306)
//   BENCH_SEARCH_DATA_DIR: keep the loaded data there (SQLite data dir, MySQL schema name) and
//   reuse it in later runs with the same ROWS, so a server change is re-measured without the
//   3-5 min load (the server still runs its migrations on it at start). Remove it yourself:
//   rm -r DIR and DROP DATABASE <DIR/mysql.schema>.
//   BENCH_MYSQL_BUFFER_POOL_MB: run the MySQL part with MariaDB's innodb_buffer_pool_size set to
//   this (SET GLOBAL, needs root) and the pool warmed with the catalog's indexes, as on a server
//   sized to its catalog; the previous size is restored at exit. Both are recorded.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as B from './lib/shoal.mjs';

const ROWS = B.envInt('BENCH_SEARCH_ROWS', 200_000);
const DBS = (process.env.BENCH_SEARCH_DBS || 'sqlite mysql').split(/\s+/).filter(Boolean);
const REQS = B.envInt('BENCH_SEARCH_REQS', 100);
const SEEDED = process.env.BENCH_SEARCH_SEEDED === '1'; // random seed/downloader counts on every row
const MYSQL_URL = (process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const KEEP_DIR = process.env.BENCH_SEARCH_DATA_DIR || null;
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const req = createRequire(join(B.REPO, 'server/package.json'));

// ---- synthetic catalog: names like "Ubuntu server 22.04 amd64 nightly 4821"
let seedState = 12345;
const rnd = () => { seedState = (seedState * 1103515245 + 12345) & 0x7fffffff; return seedState / 0x7fffffff; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const products = Array.from({ length: 2000 }, (_, i) => `${['alpha', 'nova', 'ubuntu', 'debian', 'atlas', 'orion', 'vega', 'lyra', 'draco', 'hydra'][i % 10]}${i < 10 ? '' : i}`);
const kinds = ['server', 'desktop', 'dataset', 'model', 'image', 'toolkit', 'sdk', 'firmware', 'docs', 'build'];
const platforms = ['amd64', 'arm64', 'x86', 'riscv', 'win64', 'macos'];
const channels = ['nightly', 'stable', 'beta', 'lts', 'rc', 'release'];
function nameWords(text) { return [...new Set(text.toLocaleLowerCase('en-US').split(/[^\p{L}\p{N}]+/u).filter(Boolean))].map((w) => w.slice(0, 200)); }
// The server's search tokens (server/src/resources/name-tokens.ts): the name's words, the description's and
// tags' words the name lacks (marked U+0002), and each tag whole (marked U+0001 both ends).
const tagToken = (t) => `\u0001${t.toLocaleLowerCase('en-US')}\u0001`;
function searchTokens(r, tags) {
  const own = nameWords(r.name), inName = new Set(own);
  const extra = nameWords([r.description, ...tags].join(' ')).filter((w) => !inName.has(w)).map((w) => `\u0002${w}`);
  return [...own, ...extra, ...new Set(tags.map(tagToken))];
}
// Descriptions on 40 % of rows (one in a thousand says "calibration"), tags on 25 %.
const teams = ['platform', 'data', 'security', 'ml', 'web', 'mobile', 'infra', 'qa', 'research', 'finance'];
const uses = ['testing', 'production', 'demos', 'training', 'benchmarks', 'archives'];
const notes = ['checksum verified', 'signed by release engineering', 'includes debug symbols', 'see the wiki for setup'];
const tagSet = ['linux', 'windows', 'gpu', 'qa', 'release-candidate', 'internal', 'customer-facing', 'deprecated'];
function describe(i) {
  if (rnd() >= 0.4) return '';
  return `Built by the ${pick(teams)} team for ${pick(uses)}; ${i % 1000 === 7 ? 'spectrometer calibration' : pick(notes)}.`;
}
function tagsOf() { return rnd() < 0.25 ? [...new Set([pick(tagSet), ...(rnd() < 0.3 ? [pick(tagSet)] : [])])] : []; }
function makeRow(i, t0) {
  const name = `${pick(products)} ${pick(kinds)} ${Math.floor(rnd() * 30)}.${Math.floor(rnd() * 12)} ${pick(platforms)} ${pick(channels)} ${i}`;
  const at = new Date(t0 - (ROWS - i) * 1000).toISOString().replace('T', ' ').replace('Z', '');
  const size = Math.floor(rnd() * 2 ** 36);
  const description = describe(i), tags = tagsOf();
  return { id: randomUUID(), contentId: randomBytes(32).toString('hex'), name, nameLower: name.toLocaleLowerCase('en-US'), description, tags: JSON.stringify(tags), tagList: tags,
    totalSize: size, pieceSize: 4194304, pieceCount: Math.ceil(size / 4194304), fileCount: 1, files: `[{"path":"f.bin","size":${size}}]`, pieceHashes: '',
    publishedBy: null,
    // 0 = consistent with an empty swarm; non-zero counts would make the server's swarm-count
    // refresher recount up to 100,000 resources every 15 s (see docs/benchmarks.md)
    seedCount: SEEDED ? Math.floor(rnd() * 5) : 0, downloaderCount: SEEDED ? Math.floor(rnd() * 50) : 0, createdAt: at, updatedAt: at };
}
const COLS = ['id', 'contentId', 'name', 'nameLower', 'description', 'tags', 'totalSize', 'pieceSize', 'pieceCount', 'fileCount', 'files', 'pieceHashes', 'publishedBy', 'seedCount', 'downloaderCount', 'createdAt', 'updatedAt'];

function loadSqlite(file) {
  const Database = req('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL'); db.pragma('synchronous = OFF');
  // secondary indexes are dropped during the load and recreated (same definitions) after it
  const idx = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name IN ('resources','resource_name_tokens') AND sql IS NOT NULL`).all();
  for (const i of idx) db.exec(`DROP INDEX "${i.name}"`);
  const insR = db.prepare(`INSERT INTO resources (${COLS.map((c) => `"${c}"`).join(',')}) VALUES (${COLS.map(() => '?').join(',')})`);
  const insT = db.prepare('INSERT INTO resource_name_tokens ("resourceId", "token") VALUES (?, ?)');
  const t0 = Date.now();
  let tokens = 0;
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const r = makeRow(i, t0);
      insR.run(COLS.map((c) => r[c]));
      for (const w of searchTokens(r, r.tagList)) { insT.run(r.id, w); tokens++; }
    }
  });
  for (let i = 0; i < ROWS; i += 50_000) batch(i, Math.min(ROWS, i + 50_000));
  for (const i of idx) db.exec(i.sql);
  db.exec('ANALYZE');
  db.close();
  return tokens;
}

async function loadMysql(url) {
  const dir = B.tempDir('mysql-load');
  const rf = join(dir, 'resources.tsv'), tf = join(dir, 'tokens.tsv');
  const rs = createWriteStream(rf), ts = createWriteStream(tf);
  const esc = (v) => (v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'));
  const t0 = Date.now();
  let tokens = 0;
  const write = (s, line) => (s.write(line) ? null : new Promise((r) => s.once('drain', r)));
  for (let i = 0; i < ROWS; i++) {
    const r = makeRow(i, t0);
    const w1 = write(rs, COLS.map((c) => esc(r[c])).join('\t') + '\n');
    if (w1) await w1;
    const w2 = write(ts, searchTokens(r, r.tagList).map((w) => { tokens++; return `${r.id}\t${esc(w)}\n`; }).join(''));
    if (w2) await w2;
  }
  await Promise.all([new Promise((r) => rs.end(r)), new Promise((r) => ts.end(r))]);
  const db = new URL(url).pathname.slice(1);
  const sql = `SET unique_checks=0; SET foreign_key_checks=0; SET sql_log_bin=0;
LOAD DATA LOCAL INFILE '${rf}' INTO TABLE resources CHARACTER SET utf8mb4 (${COLS.map((c) => `\`${c}\``).join(',')});
LOAD DATA LOCAL INFILE '${tf}' INTO TABLE resource_name_tokens CHARACTER SET utf8mb4 (resourceId, token);
ANALYZE TABLE resources, resource_name_tokens;`;
  const r = spawnSync('mysql', ['--local-infile=1', '-h127.0.0.1', '-uroot', db], { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mysql load failed: ${r.stderr}`);
  B.forget(dir);
  return tokens;
}

const BUFFER_POOL_MB = B.envInt('BENCH_MYSQL_BUFFER_POOL_MB', 0);
function mysqlValue(sql) {
  const r = spawnSync('mysql', ['-h127.0.0.1', '-uroot', '-N', '-B', '-e', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mysql: ${sql}: ${r.stderr}`);
  return r.stdout.trim();
}
/** Resizes the buffer pool (online in MariaDB 10.2+) and waits until the resize is done. */
async function setBufferPool(bytes) {
  mysqlValue(`SET GLOBAL innodb_buffer_pool_size = ${bytes}`);
  for (let i = 0; i < 600; i++) {
    const status = mysqlValue("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_resize_status'").split('\t')[1] ?? '';
    if (!status || /^Completed/i.test(status)) break;
    await B.sleep(500);
  }
  return Number(mysqlValue('SELECT @@innodb_buffer_pool_size'));
}
/** Reads every index of the catalog's two tables once, so the pool holds what the searches touch. */
function warmBufferPool(schema) {
  const t0 = Date.now();
  const idx = mysqlValue(`SELECT DISTINCT table_name, index_name FROM information_schema.statistics WHERE table_schema='${schema}' AND table_name IN ('resources','resource_name_tokens')`);
  for (const line of idx.split('\n').filter(Boolean)) {
    const [table, index] = line.split('\t');
    mysqlValue(`SELECT COUNT(*) FROM \`${schema}\`.\`${table}\` FORCE INDEX (\`${index}\`)`);
  }
  return B.round((Date.now() - t0) / 1000, 1);
}

const BUDGET_MS = B.envInt('BENCH_SEARCH_QUERY_BUDGET_S', 10) * 1000;
const WARMUP = 3;
/**
 * Sequential requests: WARMUP unmeasured, then n measured, or fewer (at least 5) once the
 * time budget is spent; a request slower than 30 s ends that query (recorded as timed out).
 */
async function timed(url, path, token, n) {
  const lat = [];
  let last;
  let timedOut = false;
  const started = Date.now();
  for (let i = 0; i < n + WARMUP; i++) {
    if (lat.length >= 5 && Date.now() - started > BUDGET_MS) break;
    const t0 = process.hrtime.bigint();
    let res;
    try {
      res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      if (err?.name === 'TimeoutError') { timedOut = true; lat.push(30_000); break; }
      throw err;
    }
    const body = await res.json();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    if (i >= WARMUP) lat.push(ms);
    last = body;
  }
  return { samples: lat.length, p50: B.round(B.percentile(lat, 50), 2), p95: B.round(B.percentile(lat, 95), 2), max: B.round(Math.max(...lat), 2), total: last?.total ?? null, items: last?.items?.length ?? null, ...(timedOut ? { timedOut: true } : {}) };
}

const QUERIES = [
  ['browse first page (sort -created)', '/api/resources?page=1&size=25'],
  ['browse first page sorted by name', '/api/resources?page=1&size=25&sort=name'],
  ['search rare word "atlas1234"', '/api/resources?q=atlas1234&size=25'],
  ['search prefix "orio" (~10%)', '/api/resources?q=orio&size=25'],
  ['search two words "vega server"', '/api/resources?q=vega%20server&size=25'],
  ['search two words, rare second "server atlas1234"', '/api/resources?q=server%20atlas1234&size=25'],
  ['search three words "orion server nightly"', '/api/resources?q=orion%20server%20nightly&size=25'],
  ['search common word sorted by name "nightly"', '/api/resources?q=nightly&size=25&sort=name'],
  ['search common word "nightly" (~17%)', '/api/resources?q=nightly&size=25'],
  ['search exact id "123456"', `/api/resources?q=${Math.min(123456, ROWS - 1)}&size=25`],
  ['search description word "benchmarks" (~7%)', '/api/resources?q=benchmarks&size=25'],
  ['search rare description word "calibration" (0.1%)', '/api/resources?q=calibration&size=25'],
  ['search name and description words "vega benchmarks"', '/api/resources?q=vega%20benchmarks&size=25'],
  ['tag "gpu" (~3.5%)', '/api/resources?tag=gpu&size=25'],
  ['tag "gpu" and word "server"', '/api/resources?tag=gpu&q=server&size=25'],
];

const results = {};
for (const kind of DBS) {
  let env = {}, drop = async () => undefined, schema = null;
  const keptDir = KEEP_DIR ? join(KEEP_DIR, kind) : null;
  const loadedFile = keptDir ? join(keptDir, 'loaded.json') : null;
  const kept = loadedFile && existsSync(loadedFile) ? JSON.parse(readFileSync(loadedFile, 'utf8')) : null;
  if (kept && kept.rows !== ROWS) throw new Error(`${loadedFile} holds ${kept.rows} rows, not ${ROWS}: use another BENCH_SEARCH_DATA_DIR`);
  if (keptDir && !kept) rmSync(keptDir, { recursive: true, force: true }); // a load that did not finish
  if (keptDir) mkdirSync(keptDir, { recursive: true });
  if (kind === 'mysql') {
    schema = kept?.schema ?? `shoal_bench_${randomBytes(5).toString('hex')}`;
    if (!kept) spawnSync('mysql', ['-h127.0.0.1', '-uroot', '-e', `CREATE DATABASE \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`]);
    env = { DATABASE_URL: `${MYSQL_URL}/${schema}` };
    // BENCH_SEARCH_KEEP=1 leaves the schema for EXPLAIN (drop it yourself); so does BENCH_SEARCH_DATA_DIR
    const dropNow = () => { if (process.env.BENCH_SEARCH_KEEP !== '1' && !keptDir) spawnSync('mysql', ['-h127.0.0.1', '-uroot', '-e', `DROP DATABASE IF EXISTS \`${schema}\``]); else console.error(`kept schema ${schema}`); };
    drop = async () => dropNow();
    process.on('exit', dropNow);
  }
  let bufferPool = null;
  if (kind === 'mysql') {
    const before = Number(mysqlValue('SELECT @@innodb_buffer_pool_size'));
    bufferPool = { bytes: before };
    if (BUFFER_POOL_MB) {
      const restore = () => { try { mysqlValue(`SET GLOBAL innodb_buffer_pool_size = ${before}`); } catch (err) { console.error(`could not restore innodb_buffer_pool_size ${before}: ${err.message}`); } };
      process.on('exit', restore);
      const prevDrop = drop;
      drop = async () => { await prevDrop(); restore(); };
      bufferPool = { bytes: await setBufferPool(BUFFER_POOL_MB * 1024 * 1024), setByBench: true, restoredTo: before };
      console.error(`search mysql: innodb_buffer_pool_size ${before} -> ${bufferPool.bytes}`);
    }
  }
  if (keptDir) env.SHOAL_DATA_DIR = keptDir;
  try {
    const loadavgAtStart = loadavg();
    let tokens = kept?.tokens, loadS = kept?.loadSeconds;
    if (!kept) {
      // 1) migrations on an empty database
      let server = await B.startServer({ env });
      const dataDir = env.SHOAL_DATA_DIR ?? server.dataDir;
      await server.stop();
      env.SHOAL_DATA_DIR = dataDir;
      // 2) bulk load
      console.error(`search ${kind}: loading ${ROWS} resources`);
      const l0 = Date.now();
      tokens = kind === 'sqlite' ? loadSqlite(join(dataDir, 'shoal.sqlite')) : await loadMysql(env.DATABASE_URL);
      loadS = (Date.now() - l0) / 1000;
      console.error(`search ${kind}: loaded ${ROWS} rows + ${tokens} tokens in ${loadS.toFixed(0)} s`);
      if (loadedFile) writeFileSync(loadedFile, JSON.stringify({ rows: ROWS, tokens, loadSeconds: loadS, schema }));
    } else {
      console.error(`search ${kind}: reusing ${ROWS} resources loaded in ${keptDir}${schema ? ` (schema ${schema})` : ''}`);
    }
    // 3) same data dir (signing keys, admin) and database
    if (bufferPool?.setByBench) {
      bufferPool.warmSeconds = warmBufferPool(schema);
      console.error(`search mysql: buffer pool warmed in ${bufferPool.warmSeconds} s`);
    }
    const s0 = Date.now();
    const server = await B.startServer({ env });
    const startSeconds = (Date.now() - s0) / 1000;
    const token = await B.adminToken(server.url);
    const r = { rows: ROWS, tokens, loadSeconds: B.round(loadS, 1), ...(kept ? { reusedLoadedData: true } : {}), ...(bufferPool ? { innodbBufferPool: bufferPool } : {}), startSeconds: B.round(startSeconds, 1), loadavgAtStart, baseline_auth_me: await timed(server.url, '/api/auth/me', token, REQS), queries: {} };
    console.error(`search ${kind}: baseline GET /api/auth/me: ${JSON.stringify(r.baseline_auth_me)}`);
    for (const [label, path] of QUERIES) {
      r.queries[label] = { path, ...(await timed(server.url, path, token, REQS)) };
      console.error(`search ${kind}: ${label}: ${JSON.stringify(r.queries[label])}`);
    }
    r.loadavgAtEnd = loadavg();
    await server.stop();
    results[kind] = r;
  } finally {
    await drop();
  }
}
const worst = Math.max(...Object.values(results).flatMap((r) => Object.values(r.queries).map((q) => q.p95)));
B.writeResult('search', {
  params: { rows: ROWS, dbs: DBS, requestsPerQuery: REQS, pageSize: 25, client: 'one request at a time, keep-alive, from this machine' },
  results,
  worstP95Ms: worst,
  target: `p95 <= 50 ms for name search and the first browse page (issue: at 1,000,000 resources; this run: ${ROWS}), ${DBS.join(' and ')}`,
  met: worst <= 50,
});
