/**
 * Faults during a swarm, with real processes: the server (on MariaDB) restarts mid-swarm,
 * and the only seed server dies once the downloaders hold every piece between them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { DATABASES } from '../harness/databases.js';
import { nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';
import { until } from '../harness/wait.js';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const SIZE = 6 * 1024 * 1024 + 4321;
const db = DATABASES.includes('mysql') ? 'mysql' : 'sqlite';

describe(`swarm faults (server on ${db})`, () => {
  let server: RunningServer;
  let admin: Api;
  const running: ShoalProcess[] = [];

  beforeAll(async () => {
    server = await startServer({ db });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    await admin.post('/api/admin/users', { username: 'fay', password: 'fay-password-1', role: 'member' });
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  /** A seed server holding a fresh file, serving at `rate` bytes/s. */
  async function seedWith(label: string, rate: string) {
    const seed = new Agent(label);
    const dir = join(seed.dataDir, 'content');
    mkdirSync(dir);
    writeFileSync(join(dir, `${label}.bin`), randomBytes(SIZE));
    await seed.enroll(admin, { role: 'seed', name: label });
    await seed.login(server.url, 'admin', ADMIN_PASSWORD);
    const resourceId = await seed.publish(join(dir, `${label}.bin`));
    const serve = seed.spawn(['serve', '--upload-limit', rate, '--json']);
    running.push(serve);
    let seedCount: unknown;
    await until(
      `seed ${label} online for its content (seedCount 1)`,
      async () => (seedCount = (await admin.get(`/api/resources/${resourceId}`)).body.seedCount) === 1,
      { timeoutMs: 20_000, intervalMs: 200, detail: () => `seedCount ${String(seedCount)}\n${serve.stderr()}` },
    );
    return { seed, serve, resourceId, file: join(dir, `${label}.bin`) };
  }

  async function downloaders(count: number, resourceId: string, extra: string[] = []) {
    const agents = Array.from({ length: count }, (_, i) => new Agent(`dl${i}`));
    for (const a of agents) await a.login(server.url, 'fay', 'fay-password-1');
    const gets = agents.map((a) => {
      const p = a.spawn([
        'get',
        resourceId,
        '-o',
        join(a.dataDir, 'out'),
        '--seed-time',
        'forever',
        '--json',
        ...extra,
      ]);
      running.push(p);
      return p;
    });
    return { agents, gets };
  }

  it('keeps transfers going through a server restart, loses nothing, and agents re-register', async () => {
    const { resourceId, file } = await seedWith('restart-seed', '1M');
    const { agents, gets } = await downloaders(3, resourceId);
    await Promise.all(gets.map((g) => g.waitFor((e) => e.event === 'progress' && Number(e.bytesDone) > 0, 60_000)));
    const before = {
      resources: (await admin.get('/api/resources')).body.total,
      nodes: (await admin.get('/api/admin/nodes')).body.total,
      audit: (await admin.get('/api/admin/audit')).body.total,
    };

    await server.restart();

    const finals = await Promise.all(gets.map((g) => g.waitFor((e) => e.event === 'complete', 120_000)));
    expect(finals).toHaveLength(3);
    for (const a of agents) expect(sha(join(a.dataDir, 'out', 'restart-seed.bin'))).toBe(sha(file));
    const again = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    expect((await again.get('/api/resources')).body.total).toBe(before.resources);
    expect((await again.get('/api/admin/nodes')).body.total).toBe(before.nodes);
    expect((await again.get('/api/admin/audit')).body.total).toBeGreaterThanOrEqual(before.audit);

    // The restart emptied the in-memory swarm; agents announce again on their own, so a
    // newcomer soon learns of them from the tracker.
    const token = await again.post('/api/admin/enrollment-tokens', { role: 'client' });
    const probeKey = nodeKey();
    const probe = await new Api(server.url).post('/api/nodes/enroll', {
      token: token.body.token,
      name: 'probe',
      role: 'client',
      addresses: ['127.0.0.1:9'],
      publicKey: probeKey.publicJwk,
    });
    const probeApi = new Api(server.url).asNode(probe.body.credential, probeKey.privateKey);
    let peers: unknown;
    await until(
      'the seed and the three downloaders announced again after the restart',
      async () => {
        const res = await probeApi.post('/api/tracker/announce', {
          resourceId,
          event: 'update',
          left: SIZE,
          uploaded: 0,
          downloaded: 0,
        });
        peers = res.body.peers;
        return res.status === 200 && (res.body.peers as unknown[]).length === 4;
      },
      { timeoutMs: 90_000, intervalMs: 1000, detail: () => JSON.stringify(peers) },
    );
    for (const g of gets) g.child.kill('SIGTERM');
  }, 300_000);

  it('finishes from each other when the only seed server dies', async () => {
    const { serve, resourceId, file } = await seedWith('dying-seed', '2M');
    // Downloaders capped at 512 KiB/s, the seed at 2 MiB/s: the pieces spread over the four
    // in a quarter of the time any one of them needs to hold everything, which leaves the
    // kill below room to come first on a loaded machine too.
    const { agents, gets } = await downloaders(4, resourceId, ['--download-limit', '512k']);
    const pieceCount = Math.ceil(SIZE / 256 / 1024);
    // Each agent's resume log (in its data dir's `downloads/`, one big-endian u32 per verified
    // piece) says what it holds; kill the seed once the four hold every piece between them.
    const held = () => {
      if (gets.some((g) => g.events().some((e) => e.event === 'complete'))) return pieceCount;
      const union = new Set<number>();
      for (const a of agents) {
        const logs = join(a.dataDir, 'downloads');
        for (const name of existsSync(logs) ? readdirSync(logs) : []) {
          const log = join(logs, name);
          const bytes = existsSync(log) ? readFileSync(log) : Buffer.alloc(0);
          for (let i = 0; i + 4 <= bytes.length; i += 4) union.add(bytes.readUInt32BE(i));
        }
      }
      return union.size;
    };
    await Promise.all(gets.map((g) => g.waitFor((e) => e.event === 'progress', 60_000)));
    await until('the four downloaders holding every piece between them', () => held() === pieceCount, {
      timeoutMs: 120_000,
      intervalMs: 50,
      detail: () => `${held()} of ${pieceCount} pieces held`,
    });
    // Most of them must still be missing pieces, which then can only come from each other.
    const incomplete = gets.filter((g) => !g.events().some((e) => e.event === 'complete')).length;
    expect(incomplete).toBeGreaterThanOrEqual(2);
    serve.child.kill('SIGKILL');
    await serve.exited(10_000);
    await Promise.all(gets.map((g) => g.waitFor((e) => e.event === 'complete', 120_000)));
    for (const a of agents) expect(sha(join(a.dataDir, 'out', 'dying-seed.bin'))).toBe(sha(file));
    for (const g of gets) g.child.kill('SIGTERM');
  }, 300_000);
});
