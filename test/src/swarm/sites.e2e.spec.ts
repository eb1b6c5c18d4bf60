/**
 * Site-aware peers: with two sites that each have a seed server holding the content,
 * downloaders take their bytes from their own site (the tracker lists same-site peers
 * first, and agents ask peers of another site only for pieces their own site lacks).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';
import { until } from '../harness/wait.js';

interface PeerBytes {
  name: string;
  downloaded: number;
}

interface StatusFile {
  transfers: { resourceId: string; bytesLeft: number; complete: boolean; peers: PeerBytes[] }[];
}

describe('site-aware peers', () => {
  let server: RunningServer;
  let admin: Api;
  const running: ShoalProcess[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { SHOAL_BUILTIN_SEED: 'off' } });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    await admin.post('/api/admin/users', { username: 'sam', password: 'sam-password-1', role: 'member' });
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  async function enroll(agent: Agent, role: 'seed' | 'client', site: string, name: string) {
    await agent.enroll(admin, { role, name, site });
  }

  it('downloaders take most of their bytes from their own site', async () => {
    const original = join(new Agent('content').dataDir, 'dataset.bin');
    writeFileSync(original, randomBytes(6 * 1024 * 1024));
    const ids: string[] = [];
    for (const site of ['east', 'west']) {
      const seed = new Agent(`${site}-seed`);
      await enroll(seed, 'seed', site, `${site}-seed`);
      await seed.login(server.url, 'admin', ADMIN_PASSWORD);
      mkdirSync(join(seed.dataDir, 'content'));
      copyFileSync(original, join(seed.dataDir, 'content', 'dataset.bin'));
      ids.push(await seed.publish(join(seed.dataDir, 'content', 'dataset.bin')));
      running.push(seed.spawn(['serve', '--upload-limit', '4M']));
    }
    // The same bytes published twice are the same resource, which both seeds provide.
    expect(ids[1]).toBe(ids[0]);
    const resourceId = ids[0];
    let providers: unknown;
    await until(
      'both site seeds listed online for the resource',
      async () => {
        const detail = (await admin.get(`/api/resources/${resourceId}`)).body as {
          providers: { name: string; site: string; online: boolean }[];
        };
        providers = detail.providers;
        const online = detail.providers.filter((p) => p.online).map((p) => `${p.name}@${p.site}`);
        return online.includes('east-seed@east') && online.includes('west-seed@west');
      },
      { timeoutMs: 30_000, intervalMs: 200, detail: () => JSON.stringify(providers) },
    );

    const downloaders: { agent: Agent; site: string; get: ShoalProcess }[] = [];
    for (const site of ['east', 'west']) {
      for (const n of [1, 2]) {
        const agent = new Agent(`${site}-${n}`);
        await enroll(agent, 'client', site, `${site}-${n}`);
        await agent.login(server.url, 'sam', 'sam-password-1');
        const get = agent.spawn([
          'get',
          resourceId,
          '-o',
          join(agent.dataDir, 'out'),
          '--seed-time',
          'forever',
          '--json',
        ]);
        running.push(get);
        downloaders.push({ agent, site, get });
      }
    }
    await Promise.all(downloaders.map((d) => d.get.waitFor((e) => e.event === 'complete', 150_000)));

    for (const d of downloaders) {
      // The status file is rewritten every second: wait until it shows the download complete.
      const file = join(d.agent.dataDir, 'status.json');
      // Absent until the agent's first write, which a fast download can finish before.
      const readStatus = () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StatusFile) : null);
      const status = await until(
        `${d.agent.label}: status.json showing the download complete`,
        () => {
          const s = readStatus();
          return s?.transfers.find((t) => t.resourceId === resourceId)?.complete && s;
        },
        { timeoutMs: 10_000, detail: () => JSON.stringify(readStatus()) },
      );
      const peers = status.transfers.find((t) => t.resourceId === resourceId)!.peers;
      const own = peers.filter((p) => p.name.startsWith(`${d.site}-`)).reduce((a, p) => a + p.downloaded, 0);
      const all = peers.reduce((a, p) => a + p.downloaded, 0);
      expect(all).toBeGreaterThan(0);
      expect(own / all).toBeGreaterThan(0.8);
    }
  }, 200_000);
});
