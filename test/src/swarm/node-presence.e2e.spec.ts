/**
 * What the portal says about nodes is what they are doing: a resource's seed servers are
 * seed servers (an employee's laptop that shares it on is listed apart), a downloader that
 * stops is offline at once (it says goodbye), and a node's counters and page show every
 * byte it moved, the agent it runs and what it holds, by name.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';
import { until } from '../harness/wait.js';

const SIZE = 6 * 1024 * 1024 + 4321;

interface NodeView {
  id: string;
  name: string;
  role: string;
  online: boolean;
  downloadedBytes: number;
  uploadedBytes: number;
  agentVersion: string | null;
  leftAt: string | null;
  holdings: { resourceId: string; name: string; complete: boolean; piecesHeld: number; pieceCount: number }[];
}

describe('nodes shown as what they are', () => {
  let server: RunningServer;
  let admin: Api;
  let resourceId: string;
  const seed = new Agent('presence-seed');
  const running: ShoalProcess[] = [];

  beforeAll(async () => {
    server = await startServer();
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    await admin.post('/api/admin/users', { username: 'nora', password: 'nora-password-1', role: 'member' });
    const dir = join(seed.dataDir, 'content');
    mkdirSync(dir);
    writeFileSync(join(dir, 'image.bin'), randomBytes(SIZE));
    await seed.enroll(admin, { role: 'seed', name: 'seed-presence', site: 'hq' });
    await seed.login(server.url, 'admin', ADMIN_PASSWORD);
    resourceId = await seed.publish(join(dir, 'image.bin'), ['--name', 'Presence image']);
    running.push(seed.spawn(['serve']));
    await until(
      'the seed online for the resource',
      async () => (await admin.get(`/api/resources/${resourceId}`)).body.seedCount === 1,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  async function nodeNamed(name: string): Promise<NodeView> {
    const list = await admin.get(`/api/admin/nodes?q=${name}`);
    const summary = (list.body.items as { id: string; name: string }[]).find((n) => n.name === name);
    if (!summary) throw new Error(`no node ${name} in ${JSON.stringify(list.body)}`);
    return (await admin.get(`/api/admin/nodes/${summary.id}`)).body as NodeView;
  }

  /** The node a `shoal get` enrolled for this agent (laptops of one user may share a name). */
  async function ownNode(agent: Agent): Promise<NodeView> {
    const { nodeId } = JSON.parse(readFileSync(join(agent.dataDir, 'node.json'), 'utf8')) as { nodeId: string };
    return (await admin.get(`/api/admin/nodes/${nodeId}`)).body as NodeView;
  }

  it('counts every byte of a get that exits at once, and shows that client offline as soon as it exits', async () => {
    const laptop = new Agent('presence-quick');
    await laptop.login(server.url, 'nora', 'nora-password-1');
    const got = await laptop.run(['get', resourceId, '-o', join(laptop.dataDir, 'out'), '--seed-time', '0']);
    expect(got.code).toBe(0);

    // No waiting for a missed heartbeat: the goodbye made it offline, with its final counters.
    const node = await ownNode(laptop);
    expect(node).toMatchObject({ role: 'client', online: false, agentVersion: expect.any(String) });
    expect(node.leftAt).toEqual(expect.any(String));
    expect(node.downloadedBytes).toBeGreaterThanOrEqual(SIZE);
    expect(node.holdings).toEqual([
      {
        resourceId,
        name: 'Presence image',
        complete: true,
        piecesHeld: node.holdings[0]!.pieceCount,
        pieceCount: expect.any(Number),
      },
    ]);
    const detail = (await admin.get(`/api/resources/${resourceId}`)).body;
    expect(detail.providers.map((p: { name: string }) => p.name)).toEqual(['seed-presence']);
    expect(detail.sharing).toEqual([]);
    expect(detail.seedCount).toBe(1);

    const seedNode = await nodeNamed('seed-presence');
    expect(seedNode).toMatchObject({ role: 'seed', online: true, leftAt: null });
    expect(seedNode.holdings.map((h) => h.name)).toEqual(['Presence image']);
  });

  it('lists a laptop sharing it on apart from the seed servers, and drops it the moment it stops', async () => {
    const laptop = new Agent('presence-sharer');
    await laptop.login(server.url, 'nora', 'nora-password-1');
    const get = laptop.spawn(['get', resourceId, '-o', join(laptop.dataDir, 'out'), '--json']);
    running.push(get);
    await get.waitFor((e) => e.event === 'complete', 60_000);
    const { id, name } = await ownNode(laptop);

    let detail:
      { providers: { name: string }[]; sharing: { nodeId: string; name: string; role: string }[] } | undefined;
    await until(
      `${name} listed as sharing it`,
      async () => {
        detail = (await admin.get(`/api/resources/${resourceId}`)).body;
        return detail!.sharing.some((s) => s.nodeId === id);
      },
      { timeoutMs: 30_000, intervalMs: 250, detail: () => JSON.stringify(detail) },
    );
    expect(detail!.providers.map((p) => p.name)).toEqual(['seed-presence']);
    expect(detail!.sharing).toEqual([expect.objectContaining({ nodeId: id, name, role: 'client', complete: true })]);
    expect((await ownNode(laptop)).online).toBe(true);

    get.child.kill('SIGINT');
    expect((await get.exited(30_000)).code).toBe(0);
    const after = (await admin.get(`/api/resources/${resourceId}`)).body;
    expect(after.sharing).toEqual([]);
    expect(await ownNode(laptop)).toMatchObject({ online: false, leftAt: expect.any(String) });
    expect((await admin.get(`/api/admin/nodes?online=true&role=client`)).body.total).toBe(0);
  });
});
