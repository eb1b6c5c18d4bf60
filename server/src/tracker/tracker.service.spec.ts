import { jest } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import { LIMITS, SWARM_ENTRY_TTL_SECONDS, type AnnounceEvent } from '@shoal/contract';
import { DataSource } from 'typeorm';
import type { AuthenticatedNode } from '../common/principals.js';
import { RevocationListService } from '../credentials/revocation-list.service.js';
import { NodeHolding } from '../nodes/node-holding.entity.js';
import type { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { insertNode, insertResource } from '../../test/support/fixtures.js';
import { openTestApp } from '../../test/support/test-app.js';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../../test/support/test-redis.js';
import { SwarmCountsService } from './swarm-counts.service.js';
import { TrackerModule } from './tracker.module.js';
import { TrackerService } from './tracker.service.js';

/** The same behaviour whichever store holds the swarms: the in-process default, or Redis shared by instances. */
describe.each(['in-process', 'Redis'])('TrackerService with the %s swarm store', (store) => {
  const prefix = testRedisPrefix();
  let app: TestingModule;
  let tracker: TrackerService;
  let db: DataSource;

  beforeAll(async () => {
    app = await openTestApp(
      TrackerModule,
      store === 'Redis' ? { REDIS_URL: TEST_REDIS_URL, SHOAL_REDIS_PREFIX: prefix } : {},
    );
    tracker = app.get(TrackerService);
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    if (store === 'Redis') await dropRedisPrefix(prefix);
  });

  const principal = (n: Node): AuthenticatedNode => ({
    id: n.id,
    name: n.name,
    role: n.role,
    site: n.site,
    issuedAt: 0,
  });

  async function node(o: Partial<Node> = {}) {
    return principal(await insertNode(db, { role: 'client', ...o }));
  }

  function announce(
    by: AuthenticatedNode,
    resourceId: string,
    o: { event?: AnnounceEvent; left?: number; addresses?: string[]; numWant?: number } = {},
  ) {
    return tracker.announce(by, { resourceId, event: 'started', left: 1024, uploaded: 0, downloaded: 0, ...o });
  }

  const peerIds = async (by: AuthenticatedNode, resourceId: string, o: Parameters<typeof announce>[2] = {}) =>
    (await announce(by, resourceId, { event: 'update', ...o })).peers.map((p) => p.nodeId);

  it('answers resource_not_found for a resource that does not exist', async () => {
    await expect(announce(await node(), '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      response: expect.objectContaining({ code: 'resource_not_found' }),
    });
  });

  it('gives each member the others, at the addresses announced or else the enrolled ones', async () => {
    const { id } = await insertResource(db);
    const a = await node();
    const b = await node({ addresses: ['10.9.9.9:7070'] });
    expect((await announce(a, id, { addresses: ['10.1.1.1:7070'] })).peers).toEqual([]);
    expect((await announce(b, id)).peers).toEqual([
      { nodeId: a.id, name: a.name, role: 'client', site: null, addresses: ['10.1.1.1:7070'], complete: false },
    ]);
    const [peer] = (await announce(a, id, { event: 'update', addresses: ['10.1.1.1:7070'] })).peers;
    expect(peer).toMatchObject({ nodeId: b.id, addresses: ['10.9.9.9:7070'] });
  });

  it('never offers the caller, a revoked node, or a member without addresses', async () => {
    const { id } = await insertResource(db);
    const [caller, good, revoked, unreachable] = [await node(), await node(), await node(), await node()];
    for (const n of [caller, good, revoked]) await announce(n, id);
    await announce(unreachable, id, { addresses: [] });
    app.get(RevocationListService).markRevoked(revoked.id);
    expect(await peerIds(caller, id)).toEqual([good.id]);
  });

  it('offers at most the peers asked for, and never more than the per-announce cap', async () => {
    const { id } = await insertResource(db);
    const members = [];
    for (let i = 0; i < LIMITS.maxPeersPerAnnounce + 10; i++) members.push(await node());
    for (const m of members) await announce(m, id);
    const caller = members[0];
    const five = await peerIds(caller, id, { numWant: 5 });
    expect(new Set(five).size).toBe(5);
    expect(five).not.toContain(caller.id);
    expect(await peerIds(caller, id)).toHaveLength(LIMITS.maxPeersPerAnnounce);
    expect(await peerIds(caller, id, { numWant: 500 })).toHaveLength(LIMITS.maxPeersPerAnnounce);
  });

  it("offers the caller's own site first", async () => {
    const { id } = await insertResource(db);
    // fewer members than the tracker samples for the answer (4 x numWant + 1): it sees them all
    const elsewhere = [];
    for (let i = 0; i < 10; i++) elsewhere.push(await node({ site: i % 2 ? 'nyc' : null }));
    const local = [await node({ site: 'fra' }), await node({ site: 'fra' }), await node({ site: 'fra' })];
    for (const m of [...elsewhere, ...local]) await announce(m, id);
    const caller = await node({ site: 'fra' });
    const localIds = local.map((n) => n.id).sort();
    const five = await peerIds(caller, id, { numWant: 5 });
    expect(five.slice(0, 3).sort()).toEqual(localIds);
    expect(five.slice(3).every((p) => !localIds.includes(p))).toBe(true);
    expect((await peerIds(caller, id, { numWant: 3 })).sort()).toEqual(localIds);
  });

  it('forgets a member that sends stopped: no one gets it as a peer, and it no longer counts as downloading', async () => {
    const { id } = await insertResource(db);
    const [leaver, stayer] = [await node(), await node()];
    await announce(leaver, id);
    await announce(stayer, id);
    const counts = app.get(SwarmCountsService);
    const downloaders = async () => {
      await counts.flush();
      return (await db.getRepository(Resource).findOneByOrFail({ id })).downloaderCount;
    };
    expect(await downloaders()).toBe(2);
    expect((await announce(leaver, id, { event: 'stopped' })).peers).toEqual([]);
    expect(await peerIds(stayer, id)).toEqual([]);
    expect(await downloaders()).toBe(1);
  });

  it('forgets a member that stops announcing once its entry is older than the TTL', async () => {
    const { id } = await insertResource(db);
    const [silent, steady] = [await node(), await node()];
    await announce(silent, id);
    await announce(steady, id);
    const realNow = Date.now.bind(Date);
    let offset = 0;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    try {
      offset = (SWARM_ENTRY_TTL_SECONDS - 5) * 1000;
      expect(await peerIds(steady, id)).toEqual([silent.id]);
      offset = (SWARM_ENTRY_TTL_SECONDS + 1) * 1000;
      expect(await peerIds(steady, id)).toEqual([]);
    } finally {
      clock.mockRestore();
    }
  });

  it('offers online seed servers holding the resource, and makes a node announcing completion a provider at once', async () => {
    const resource = await insertResource(db);
    const recently = new Date(Date.now() - 5_000);
    const online = await node({ role: 'seed', lastHeartbeatAt: recently });
    const offline = await node({ role: 'seed', lastHeartbeatAt: new Date(Date.now() - 3_600_000) });
    const holdings = db.getRepository(NodeHolding);
    for (const s of [online, offline])
      await holdings.insert({ nodeId: s.id, resourceId: resource.id, complete: true, piecesHeld: 4 });
    const caller = await node();
    // seeds come from heartbeats: neither announced
    expect(await peerIds(caller, resource.id)).toEqual([online.id]);

    const finisher = await node({ role: 'seed', lastHeartbeatAt: recently });
    await announce(finisher, resource.id, { event: 'completed', left: 0 });
    expect(await holdings.findOneBy({ nodeId: finisher.id, resourceId: resource.id })).toMatchObject({
      complete: true,
      piecesHeld: resource.pieceCount,
    });
    await announce(finisher, resource.id, { event: 'stopped' });
    // out of the swarm, still a provider until its heartbeats say otherwise
    expect((await peerIds(caller, resource.id)).sort()).toEqual([online.id, finisher.id].sort());
  });
});
