/**
 * Preheat end to end: an admin asks for a resource on every seed server of a site; the
 * seed servers' `shoal serve` picks the task up from its heartbeat, fetches it through
 * the swarm, reports progress, and then provides it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, freePort, startServer, type RunningServer } from '../harness/server.js';
import { until } from '../harness/wait.js';
import { uploadedId } from '../harness/uploads.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('preheat to the seed servers of a site', () => {
  let server: RunningServer;
  let admin: Api;
  const running: ShoalProcess[] = [];

  beforeAll(async () => {
    server = await startServer();
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  it('places the resource on each seed server of the site, with progress, and they serve it', async () => {
    const content = randomBytes(2 * 1024 * 1024 + 99);
    const resourceId = await uploadedId(server.url, admin.token!, { name: 'Warm me', filename: 'warm.bin' }, content);

    const seeds = ['par-1', 'par-2'].map((name) => new Agent(name));
    for (const [i, seed] of seeds.entries())
      await seed.enroll(admin, { role: 'seed', name: `par-${i + 1}`, site: 'par' });
    const job = await admin.post('/api/admin/preheat', { resourceId, site: 'par' });
    expect(job.status).toBe(201);
    expect(job.body.tasks.map((t: { state: string }) => t.state)).toEqual(['queued', 'queued']);

    const metricsPort = await freePort();
    running.push(seeds[0].spawn(['serve', '--json', '--metrics', `127.0.0.1:${metricsPort}`]));
    running.push(seeds[1].spawn(['serve', '--json']));
    let tasks: { nodeName: string; state: string; percent: number }[] = job.body.tasks;
    await until(
      'both preheat tasks finished',
      async () => {
        tasks = (await admin.get(`/api/admin/preheat/${job.body.id}`)).body.tasks;
        return tasks.every((t) => ['done', 'failed', 'cancelled'].includes(t.state));
      },
      { timeoutMs: 60_000, intervalMs: 500, detail: () => JSON.stringify(tasks) },
    );
    expect(tasks.map((t) => [t.nodeName, t.state, t.percent])).toEqual([
      ['par-1', 'done', 100],
      ['par-2', 'done', 100],
    ]);
    for (const seed of seeds) {
      expect(sha(readFileSync(join(seed.dataDir, 'content', resourceId, 'warm.bin')))).toBe(sha(content));
    }
    // They now count as seed servers of the resource, beside the built-in seed.
    let seedCount: unknown;
    await until(
      'the two preheated seeds online beside the built-in seed (seedCount 3)',
      async () => (seedCount = (await admin.get(`/api/resources/${resourceId}`)).body.seedCount) === 3,
      { timeoutMs: 30_000, intervalMs: 500, detail: () => `seedCount ${String(seedCount)}` },
    );

    // The seed server's own Prometheus metrics count what it fetched for the preheat.
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const downloaded = new RegExp(
      `shoal_agent_downloaded_bytes_total\\{resource="${resourceId}",source="seed"\\} (\\d+)`,
    ).exec(metrics);
    expect(Number(downloaded?.[1])).toBe(content.length);
    expect(metrics).toMatch(new RegExp(`shoal_agent_peers\\{resource="${resourceId}"\\} \\d+`));
    expect(metrics).toMatch(new RegExp(`shoal_agent_verification_failures_total\\{resource="${resourceId}"\\} 0`));
  }, 180_000);
});
