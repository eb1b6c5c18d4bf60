import type { TestingModule } from '@nestjs/testing';
import { TOKEN_LIFETIMES } from '@shoal/contract';
import { generateKeyPairSync } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AuthenticatedNode, AuthenticatedUser } from '../common/principals.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { Resource } from '../resources/resource.entity.js';
import { insertResource } from '../../test/support/fixtures.js';
import { openTestApp } from '../../test/support/test-app.js';
import { SwarmCountsService } from '../tracker/swarm-counts.service.js';
import { SWARM_STORE, type SwarmStore } from '../tracker/swarm-store.js';
import { UsersService } from '../users/users.service.js';
import type { HeartbeatDto } from './dto/node.dto.js';
import { Node } from './node.entity.js';
import { EnrollmentTokensService } from './enrollment-tokens.service.js';
import { NodesModule } from './nodes.module.js';
import { NodesService } from './nodes.service.js';
import { TrafficService } from './traffic.service.js';

const publicKey = () => {
  const { publicKey: key } = generateKeyPairSync('ed25519');
  return { kty: 'OKP' as const, crv: 'Ed25519' as const, x: String(key.export({ format: 'jwk' }).x) };
};

const beat = (o: Partial<HeartbeatDto> = {}): HeartbeatDto => ({
  holdings: [],
  uploadedBytes: 0,
  downloadedBytes: 0,
  ...o,
});

describe('NodesService heartbeat', () => {
  let app: TestingModule;
  let nodes: NodesService;
  let db: DataSource;
  let users: UsersService;
  let admin: AuthenticatedUser;
  let member: AuthenticatedUser;

  beforeAll(async () => {
    app = await openTestApp(NodesModule);
    nodes = app.get(NodesService);
    db = app.get(DataSource);
    users = app.get(UsersService);
    const toUser = (u: { id: string; username: string; role: AuthenticatedUser['role'] }) => ({
      id: u.id,
      username: u.username,
      role: u.role,
    });
    admin = toUser(await users.create('admin-spec', 'admin-password-1', 'admin'));
    member = toUser(await users.create('member-spec', 'member-password-1', 'member'));
  });

  afterAll(async () => {
    await app?.close();
  });

  /** A node enrolled as an agent enrolls: a client with its user's login, a seed with an admin's token. */
  async function enroll(role: 'client' | 'seed', o: { user?: AuthenticatedUser; site?: string } = {}) {
    const addresses = ['10.1.0.1:7070'];
    const dto = { name: `${role}-node`, role, site: o.site, addresses, publicKey: publicKey() };
    const enrolled =
      role === 'seed'
        ? await nodes.enroll(
            { ...dto, token: (await app.get(EnrollmentTokensService).create({ role: 'seed' }, admin)).token },
            null,
          )
        : await nodes.enroll(dto, o.user ?? member);
    const principal: AuthenticatedNode = {
      id: enrolled.nodeId,
      name: dto.name,
      role,
      site: o.site ?? null,
      issuedAt: Math.floor(Date.now() / 1000),
    };
    return principal;
  }

  const row = (id: string) => db.getRepository(Node).findOneByOrFail({ id });
  const held = async (id: string) =>
    (await nodes.holdings(id))
      .map((h) => ({ resourceId: h.resourceId, complete: h.complete, piecesHeld: h.piecesHeld }))
      .sort((a, b) => a.resourceId.localeCompare(b.resourceId));

  it('replaces what a node holds with what it reports: unknown resources dropped, the last report of a resource kept', async () => {
    const node = await enroll('client');
    const [a, b] = [await insertResource(db), await insertResource(db)].sort((x, y) => x.id.localeCompare(y.id));
    const unknown = '00000000-0000-4000-8000-000000000000';
    await nodes.heartbeat(
      node,
      beat({
        holdings: [
          { resourceId: a.id, complete: false, piecesHeld: 1 },
          { resourceId: b.id, complete: true, piecesHeld: 4 },
          { resourceId: unknown, complete: true, piecesHeld: 4 },
          { resourceId: a.id, complete: true, piecesHeld: 4 },
        ],
      }),
    );
    expect(await held(node.id)).toEqual([
      { resourceId: a.id, complete: true, piecesHeld: 4 },
      { resourceId: b.id, complete: true, piecesHeld: 4 },
    ]);
    expect((await row(node.id)).resourcesHeld).toBe(2);

    await nodes.heartbeat(node, beat({ holdings: [{ resourceId: b.id, complete: false, piecesHeld: 2 }] }));
    expect(await held(node.id)).toEqual([{ resourceId: b.id, complete: false, piecesHeld: 2 }]);
    expect((await row(node.id)).resourcesHeld).toBe(0);

    await nodes.heartbeat(node, beat());
    expect(await held(node.id)).toEqual([]);
  });

  it("counts a seed that reports a resource complete in the catalog's seed count, and uncounts it when it stops", async () => {
    const seed = await enroll('seed');
    const resource = await insertResource(db);
    const counts = app.get(SwarmCountsService);
    const seedCount = async () => {
      await counts.flush();
      return (await db.getRepository(Resource).findOneByOrFail({ id: resource.id })).seedCount;
    };
    await nodes.heartbeat(seed, beat({ holdings: [{ resourceId: resource.id, complete: true, piecesHeld: 4 }] }));
    expect(await seedCount()).toBe(1);
    await nodes.heartbeat(seed, beat());
    expect(await seedCount()).toBe(0);
  });

  it('marks the node online at each heartbeat', async () => {
    const node = await enroll('client');
    expect((await row(node.id)).lastHeartbeatAt).toBeNull();
    const before = Date.now();
    await nodes.heartbeat(node, beat());
    expect((await row(node.id)).lastHeartbeatAt!.getTime()).toBeGreaterThanOrEqual(before - 1);
    const online = await nodes.list(Object.assign({ page: 1, size: 100, online: 'true' as const }));
    expect(online.items.find((n) => n.id === node.id)?.online).toBe(true);
  });

  it('renews the credential from half its lifetime on, or when the node shows none', async () => {
    const node = await enroll('client');
    const now = Math.floor(Date.now() / 1000);
    const half = TOKEN_LIFETIMES.nodeCredentialSeconds / 2;
    expect((await nodes.heartbeat(node, beat(), now - half + 60)).credential).toBeUndefined();
    const renewed = await nodes.heartbeat(node, beat(), now - half - 60);
    expect(renewed.credential).toEqual(expect.any(String));
    expect(Date.parse(renewed.credentialExpiresAt!)).toBeGreaterThan(Date.now());
    const claims = await app.get(CredentialsService).verifyNodeCredential(renewed.credential!);
    // a self-enrolled client's credential names its member (peer slots are shared per member)
    expect(claims).toMatchObject({ sub: node.id, role: 'client', own: member.id });
    expect(claims.cnf.jwk.x).toBe((await row(node.id)).publicKeyX);
    expect((await nodes.heartbeat(node, beat())).credential).toEqual(expect.any(String));
  });

  it('refuses a revoked node, and tells every other node to refuse it', async () => {
    const revoked = await enroll('client');
    const other = await enroll('seed');
    await nodes.revoke(revoked.id);
    await expect(nodes.heartbeat(revoked, beat())).rejects.toMatchObject({
      response: expect.objectContaining({ code: 'node_revoked' }),
    });
    expect((await nodes.heartbeat(other, beat())).revokedNodeIds).toContain(revoked.id);
  });

  it('revokes a client at its heartbeat once its user is disabled, and drops it from every swarm', async () => {
    const owner = await users.create('leaver-spec', 'leaver-password-1', 'member');
    const node = await enroll('client', { user: { id: owner.id, username: owner.username, role: owner.role } });
    const resource = await insertResource(db);
    const swarm = app.get<SwarmStore>(SWARM_STORE);
    await swarm.upsert(
      resource.id,
      { nodeId: node.id, name: node.name, role: 'client', site: null, addresses: ['10.1.0.1:7070'], left: 10 },
      60,
    );
    await users.update(owner.id, { disabled: true }, admin.id);
    await expect(nodes.heartbeat(node, beat())).rejects.toMatchObject({
      response: expect.objectContaining({ code: 'node_revoked' }),
    });
    expect((await row(node.id)).revokedAt).not.toBeNull();
    expect(await swarm.members(resource.id, 10)).toEqual([]);
  });

  it('keeps the enrolled addresses unless a heartbeat reports new ones', async () => {
    const node = await enroll('client');
    await nodes.heartbeat(node, beat());
    expect((await row(node.id)).addresses).toEqual(['10.1.0.1:7070']);
    await nodes.heartbeat(node, beat({ addresses: ['10.2.0.2:7071', '[fd00::2]:7071'] }));
    expect((await row(node.id)).addresses).toEqual(['10.2.0.2:7071', '[fd00::2]:7071']);
    await nodes.heartbeat(node, beat());
    expect((await row(node.id)).addresses).toEqual(['10.2.0.2:7071', '[fd00::2]:7071']);
  });

  it("adds what each heartbeat's counters grew by, taking a counter that went down as an agent restart", async () => {
    const client = await enroll('client');
    const seed = await enroll('seed');
    const traffic = app.get(TrafficService);
    const before = await traffic.since(new Date(0));
    const sum = (rows: typeof before, k: 'seedBytes' | 'peerBytes') => rows.reduce((s, r) => s + r[k], 0);
    for (const [up, down] of [
      [100, 1_000],
      [250, 1_500],
      [50, 200], // restarted: counters start again from zero
      [80, 200],
    ]) {
      await nodes.heartbeat(client, beat({ uploadedBytes: up, downloadedBytes: down }));
    }
    await nodes.heartbeat(seed, beat({ uploadedBytes: 7_000 }));
    expect(await row(client.id)).toMatchObject({ uploadedBytes: 100 + 150 + 50 + 30, downloadedBytes: 1_700 });
    const after = await traffic.since(new Date(0));
    // uploads are traffic: a client's is peer traffic, a seed server's is served by seeds
    expect(sum(after, 'peerBytes') - sum(before, 'peerBytes')).toBe(330);
    expect(sum(after, 'seedBytes') - sum(before, 'seedBytes')).toBe(7_000);
  });
});
