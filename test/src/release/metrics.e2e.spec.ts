/**
 * Shoal's metrics as Prometheus users expect them, checked by Prometheus's own promtool
 * against a real server and a real `shoal serve --metrics` after some traffic: a login,
 * heartbeats, announces and a download (a preheat the seed server fetches from the
 * built-in seed). The Grafana dashboard and the alert rules in deploy/ are checked by
 * promtool too, and against those real metrics, so a renamed metric or label cannot
 * leave them querying nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { parseExposition, promtool, type Sample } from '../harness/promtool.js';
import { ADMIN_PASSWORD, freePort, REPO_ROOT, startServer, type RunningServer } from '../harness/server.js';
import { uploadedId } from '../harness/uploads.js';
import { until } from '../harness/wait.js';

/**
 * prom-client's default gauges whose names end in _total, which promtool flags: the
 * library's known exception, kept under the names every Node.js dashboard queries.
 */
const ALLOWED_COMPLAINTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const releaseOf = (pkg: string) =>
  (JSON.parse(readFileSync(join(REPO_ROOT, pkg, 'package.json'), 'utf8')) as { version: string }).version;

/** The metric names promtool's linter complains about (one finding per line: `name reason`). */
function complaints(exposition: string): string[] {
  const res = promtool(['check', 'metrics'], { input: exposition });
  const names = res.output
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.split(' ')[0]!);
  // It exits non-zero exactly when it found something: an exit code with no finding is a failure to run.
  if ((res.status === 0) !== (names.length === 0)) throw new Error(`promtool exited ${res.status}: ${res.output}`);
  return names.sort();
}

/** The scrape token, as a Prometheus job's `authorization: { credentials: ... }` sends it. */
const METRICS_TOKEN = 'metrics-scrape-token-1';
const PROMETHEUS_DIR = join(REPO_ROOT, 'deploy/prometheus');

interface Panel {
  title: string;
  datasource: { type: string; uid: string };
  targets: { expr: string; datasource: { uid: string } }[];
}
const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/grafana/shoal.json'), 'utf8')) as {
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
};
/** Grafana's own range variable is not PromQL: promtool reads the expressions with a fixed range. */
const dashboardExprs = dashboard.panels.flatMap((p) =>
  p.targets.map((t) => t.expr.replace(/\$__rate_interval/g, '5m')),
);
const alertExprs = (
  parse(readFileSync(join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8')) as { groups: { rules: { expr: string }[] }[] }
).groups.flatMap((g) => g.rules.map((r) => r.expr));

/** Each Shoal series an expression selects: its metric name and its exact (`=`) label matchers. */
function selectors(expr: string): { name: string; labels: Record<string, string> }[] {
  return [...expr.matchAll(/\b(shoal_[a-z0-9_]+)(?:\{([^}]*)\})?/g)].map((m) => ({
    name: m[1]!,
    labels: Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!])),
  }));
}

const one = (samples: Sample[], name: string, labels: Record<string, string> = {}) => {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${hits.length} samples, want 1`);
  return hits[0]!;
};

describe('metrics as Prometheus users expect', () => {
  let server: RunningServer;
  let admin: Api;
  let seed: Agent;
  let serve: ShoalProcess;
  let resourceId: string;
  const content = randomBytes(1024 * 1024 + 7);
  let serverText: string;
  let agentText: string;

  beforeAll(async () => {
    server = await startServer({ env: { SHOAL_METRICS_TOKEN: METRICS_TOKEN } });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    resourceId = await uploadedId(server.url, admin.token!, { name: 'Watched', filename: 'watched.bin' }, content);
    seed = new Agent('par-1');
    await seed.enroll(admin, { role: 'seed', name: 'par-1', site: 'par' });
    const job = await admin.post('/api/admin/preheat', { resourceId, site: 'par' });
    expect(job.status).toBe(201);
    const metricsPort = await freePort();
    serve = seed.spawn(['serve', '--json', '--metrics', `127.0.0.1:${metricsPort}`]);
    let state: unknown;
    await until(
      'the preheat done (the seed server downloaded the resource)',
      async () => {
        const tasks = (await admin.get(`/api/admin/preheat/${job.body.id}`)).body.tasks as { state: string }[];
        state = tasks;
        return tasks.every((t) => t.state === 'done');
      },
      { timeoutMs: 60_000, intervalMs: 500, detail: () => JSON.stringify(state) },
    );
    const scrape = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scrape.status).toBe(200);
    serverText = await scrape.text();
    agentText = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  }, 120_000);

  afterAll(async () => {
    if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
    await server?.destroy();
  });

  it("the server's /metrics wants SHOAL_METRICS_TOKEN as a bearer token once it is set", async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', `Bearer ${METRICS_TOKEN}x`]) {
      const res = await fetch(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect([authorization, res.status]).toEqual([authorization, 401]);
      expect(await res.text()).not.toContain('shoal_build_info');
    }
  });

  it.each([
    ['server', () => serverText],
    ['agent', () => agentText],
  ])("the %s's metrics pass promtool check metrics, but for prom-client's nodejs_*_total gauges", (_, text) => {
    expect(complaints(text())).toEqual(ALLOWED_COMPLAINTS);
  });

  it('the server exports its build, unprefixed process metrics, heartbeats and cluster-wide figures', () => {
    const s = parseExposition(serverText);
    expect(one(s, 'shoal_build_info')).toEqual({
      name: 'shoal_build_info',
      labels: { version: releaseOf('server'), commit: expect.stringMatching(/^[0-9a-f]{7,40}$/) },
      value: 1,
    });
    expect(one(s, 'process_cpu_seconds_total').value).toBeGreaterThan(0);
    expect(s.filter((x) => x.name.startsWith('shoal_process_') || x.name.startsWith('shoal_nodejs_'))).toEqual([]);
    expect(one(s, 'shoal_node_heartbeats_total', { role: 'seed' }).value).toBeGreaterThan(0);
    expect(one(s, 'shoal_cluster_nodes_online', { site: 'par', role: 'seed' }).value).toBe(1);
    expect(one(s, 'shoal_cluster_resources').value).toBe(1);
    expect(one(s, 'shoal_tracker_announces_total', { event: 'started' }).value).toBeGreaterThan(0);
    // The built-in seed's credential: issued for 24 h, so it expires within a day from now.
    const expiry = one(s, 'shoal_builtin_seed_credential_expiry_timestamp_seconds').value;
    expect(expiry).toBeGreaterThan(Date.now() / 1000);
    expect(expiry).toBeLessThanOrEqual(Date.now() / 1000 + 24 * 3600);
  });

  it('the agent exports its build, unprefixed process metrics, bytes by source and its credential expiry', () => {
    const s = parseExposition(agentText);
    expect(one(s, 'shoal_build_info')).toEqual({
      name: 'shoal_build_info',
      labels: { version: releaseOf('agent'), commit: expect.stringMatching(/^[0-9a-f]{7,40}$/) },
      value: 1,
    });
    expect(one(s, 'process_cpu_seconds_total').value).toBeGreaterThan(0);
    expect(
      s.filter((x) => x.name.startsWith('shoal_agent_process_') || x.name.startsWith('shoal_agent_nodejs_')),
    ).toEqual([]);
    // Its peers are seed servers (the built-in seed): every byte came from a seed, none from a downloader.
    expect(one(s, 'shoal_agent_downloaded_bytes_total', { resource: resourceId, source: 'seed' }).value).toBe(
      content.length,
    );
    expect(one(s, 'shoal_agent_downloaded_bytes_total', { resource: resourceId, source: 'peer' }).value).toBe(0);
    expect(one(s, 'shoal_agent_verification_failures_total', { resource: resourceId }).value).toBe(0);
    const node = JSON.parse(readFileSync(join(seed.dataDir, 'node.json'), 'utf8')) as { credentialExpiresAt: string };
    expect(one(s, 'shoal_agent_credential_expiry_timestamp_seconds').value).toBe(
      Math.floor(Date.parse(node.credentialExpiresAt) / 1000),
    );
  });

  it('the alert rules pass promtool check rules, and their unit tests pass promtool test rules', () => {
    const check = promtool(['check', 'rules', 'alerts.yml'], { cwd: PROMETHEUS_DIR });
    expect([check.status, check.output]).toEqual([0, expect.stringContaining('SUCCESS: 4 rules found')]);
    const test = promtool(['test', 'rules', 'alerts.test.yml'], { cwd: PROMETHEUS_DIR });
    expect([test.status, test.output]).toEqual([0, expect.stringContaining('SUCCESS')]);
  });

  it("the dashboard's queries are valid PromQL on its ${DS_PROMETHEUS} data source", () => {
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', query: 'prometheus' }),
    );
    for (const p of dashboard.panels) {
      expect([p.title, p.datasource.uid, ...p.targets.map((t) => t.datasource.uid)]).toEqual([
        p.title,
        ...Array<string>(p.targets.length + 1).fill('${DS_PROMETHEUS}'),
      ]);
    }
    expect(dashboard.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining([
        'Swarm offload',
        'Bytes received by source',
        'Heartbeats',
        'Announce latency',
        'Nodes online by site',
      ]),
    );
    // promtool has no expression checker of its own: each query goes in as a recording rule.
    const dir = mkdtempSync(join(tmpdir(), 'shoal-dashboard-rules-'));
    const rules = dashboardExprs.map((expr, i) => ({ record: `shoal_dashboard:query_${i}`, expr }));
    writeFileSync(join(dir, 'dashboard.rules.json'), JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
    const check = promtool(['check', 'rules', 'dashboard.rules.json'], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
    expect([check.status, check.output]).toEqual([0, expect.stringContaining(`SUCCESS: ${rules.length} rules found`)]);
  });

  it('every metric and label value the dashboard and the alerts select is in the real metrics', () => {
    const samples = [...parseExposition(serverText), ...parseExposition(agentText)];
    const used = [...dashboardExprs, ...alertExprs].flatMap(selectors);
    expect(used.length).toBeGreaterThan(10);
    const missing = used.filter(
      (u) => !samples.some((s) => s.name === u.name && Object.entries(u.labels).every(([k, v]) => s.labels[k] === v)),
    );
    expect(missing).toEqual([]);
  });

  // Last: it stops the seed server the tests above read from.
  it('a site whose only node stopped shows 0 nodes online at once, not a missing series', async () => {
    serve.child.kill('SIGTERM');
    expect((await serve.exited()).code).toBe(0);
    const scrape = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const s = parseExposition(await scrape.text());
    expect(one(s, 'shoal_cluster_nodes_online', { site: 'par', role: 'seed' }).value).toBe(0);
  });
});
