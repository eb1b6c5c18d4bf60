/**
 * Site-aware peers: with two sites that each have a seed server holding the content,
 * downloaders take their bytes from their own site (the tracker lists same-site peers
 * first, and agents ask peers of another site only for pieces their own site lacks).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

interface PeerBytes {
  name: string;
  downloaded: number;
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
    let resourceId = '';
    for (const site of ['east', 'west']) {
      const seed = new Agent(`${site}-seed`);
      await enroll(seed, 'seed', site, `${site}-seed`);
      await seed.login(server.url, 'admin', ADMIN_PASSWORD);
      mkdirSync(join(seed.dataDir, 'content'));
      copyFileSync(original, join(seed.dataDir, 'content', 'dataset.bin'));
      // The same bytes published twice are the same resource: both seeds provide it.
      const published = await seed.run([
        'publish',
        join(seed.dataDir, 'content', 'dataset.bin'),
        '--seed-time',
        '0',
        '--json',
      ]);
      expect(published.code).toBe(0);
      const id = JSON.parse(published.stdout.split('\n').find((l) => l.includes('"published"'))!).resourceId as string;
      expect([id, resourceId]).toContain(resourceId || id);
      resourceId = id;
      running.push(seed.spawn(['serve', '--upload-limit', '4M']));
    }

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
    await Promise.all(downloaders.map((d) => d.get.waitFor((e) => e.event === 'complete', 120_000)));
    await new Promise((r) => setTimeout(r, 1500)); // the status file is written every second

    for (const d of downloaders) {
      const status = JSON.parse(readFileSync(join(d.agent.dataDir, 'status.json'), 'utf8')) as {
        transfers: { peers: PeerBytes[] }[];
      };
      const peers = status.transfers[0].peers;
      const own = peers.filter((p) => p.name.startsWith(`${d.site}-`)).reduce((a, p) => a + p.downloaded, 0);
      const all = peers.reduce((a, p) => a + p.downloaded, 0);
      expect(all).toBeGreaterThan(0);
      expect(own / all).toBeGreaterThan(0.8);
    }
  });
});
