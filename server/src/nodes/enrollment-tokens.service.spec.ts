import type { TestingModule } from '@nestjs/testing';
import { generateKeyPairSync } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { openTestApp } from '../../test/support/test-app.js';
import { UsersService } from '../users/users.service.js';
import { EnrollmentToken } from './enrollment-token.entity.js';
import { EnrollmentTokensService } from './enrollment-tokens.service.js';
import { Node } from './node.entity.js';
import { NodesModule } from './nodes.module.js';
import { NodesService } from './nodes.service.js';

const publicKey = () => {
  const { publicKey: key } = generateKeyPairSync('ed25519');
  return { kty: 'OKP' as const, crv: 'Ed25519' as const, x: String(key.export({ format: 'jwk' }).x) };
};

describe('EnrollmentTokensService', () => {
  let app: TestingModule;
  let tokens: EnrollmentTokensService;
  let nodes: NodesService;
  let db: DataSource;
  let admin: AuthenticatedUser;

  beforeAll(async () => {
    app = await openTestApp(NodesModule);
    tokens = app.get(EnrollmentTokensService);
    nodes = app.get(NodesService);
    db = app.get(DataSource);
    const u = await app.get(UsersService).create('token-admin', 'admin-password-1', 'admin');
    admin = { id: u.id, username: u.username, role: u.role };
  });
  afterAll(async () => app?.close());

  let n = 0;
  const enroll = (token: string) =>
    nodes.enroll(
      { token, name: `fleet-${++n}`, role: 'seed', addresses: ['10.0.0.1:7070'], publicKey: publicKey() },
      null,
    );
  const refusedFor = (why: string) => ({ response: expect.objectContaining({ errors: { token: why } }) });
  const rowOf = (id: string) => db.getRepository(EnrollmentToken).findOneByOrFail({ id });

  it('makes a one-time token by default: one machine enrolls, the next is told it was used', async () => {
    const t = await tokens.create({}, admin);
    expect(t).toMatchObject({ maxUses: 1, uses: 0, state: 'active', role: 'seed', createdBy: 'token-admin' });
    expect(t.enrollCommand).toContain(`--token ${t.token} --role seed`);
    await enroll(t.token);
    await expect(enroll(t.token)).rejects.toMatchObject(refusedFor('already used'));
    expect(await rowOf(t.id)).toMatchObject({ uses: 1, maxUses: 1 });
  });

  it('enrolls up to its cap of machines, each a node of its own, then refuses the next', async () => {
    const t = await tokens.create({ maxUses: 3 }, admin);
    const enrolled = [await enroll(t.token), await enroll(t.token), await enroll(t.token)];
    expect(new Set(enrolled.map((e) => e.nodeId)).size).toBe(3);
    await expect(enroll(t.token)).rejects.toMatchObject(refusedFor('used up (all 3 uses)'));
    const row = await rowOf(t.id);
    expect(row).toMatchObject({ uses: 3, usedByNode: enrolled[2]!.nodeId });
    const listed = (await tokens.list({ page: 1, size: 200 })).items.find((x) => x.id === t.id);
    expect(listed).toMatchObject({ uses: 3, maxUses: 3, state: 'used-up', lastUsedAt: row.usedAt!.toISOString() });
    // Each use is in the audit log, naming the token and the node it made.
    const uses = await db.getRepository(AuditEntry).findBy({ action: 'enrollment-token.use' });
    for (const [i, e] of enrolled.entries()) {
      expect(uses.find((u) => u.nodeId === e.nodeId)?.detail).toBe(`token:${t.id} use ${i + 1} of 3`);
    }
  });

  it('gives the last use to one machine only, even when another passed the checks before it was taken', async () => {
    // The window of a race, laid out in order: both machines find the token usable, then
    // both claim. (Real overlap is in test/src/security/enrollment-tokens.e2e.spec.ts on MariaDB.)
    const t = await tokens.create({ maxUses: 2 }, admin);
    await enroll(t.token);
    const [first, second] = [await tokens.usable(t.token), await tokens.usable(t.token)];
    expect(await db.transaction((em) => tokens.claim(em, first, 'node-a'))).toBe(2);
    await expect(db.transaction((em) => tokens.claim(em, second, 'node-b'))).rejects.toMatchObject(
      refusedFor('used up (all 2 uses)'),
    );
    expect(await rowOf(t.id)).toMatchObject({ uses: 2, usedByNode: 'node-a' });
  });

  it('refuses a revoked token and keeps the nodes it enrolled', async () => {
    const t = await tokens.create({ maxUses: 100 }, admin);
    const first = await enroll(t.token);
    const revoked = await tokens.revoke(t.id);
    expect(revoked).toMatchObject({ state: 'revoked', uses: 1, maxUses: 100 });
    await expect(enroll(t.token)).rejects.toMatchObject(refusedFor('revoked'));
    expect((await db.getRepository(Node).findOneByOrFail({ id: first.nodeId })).revokedAt).toBeNull();
    // Revoking again changes nothing; an unknown id is a 404.
    expect((await tokens.revoke(t.id)).revokedAt).toBe(revoked.revokedAt);
    await expect(tokens.revoke('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      response: expect.objectContaining({ code: 'enrollment_token_not_found' }),
    });
  });

  it('refuses an expired reusable token with uses left', async () => {
    const t = await tokens.create({ maxUses: 10 }, admin);
    await db.getRepository(EnrollmentToken).update({ id: t.id }, { expiresAt: new Date(Date.now() - 1000) });
    await expect(enroll(t.token)).rejects.toMatchObject(refusedFor('expired'));
    expect((await rowOf(t.id)).uses).toBe(0);
  });

  it('lists tokens by state, newest first, never with the token', async () => {
    const active = await tokens.create({ maxUses: 5 }, admin);
    const gone = await tokens.create({ maxUses: 5 }, admin);
    await tokens.revoke(gone.id);
    const ids = async (state?: 'active' | 'revoked') =>
      (await tokens.list({ page: 1, size: 200, state })).items.map((t) => t.id);
    expect(await ids('active')).toContain(active.id);
    expect(await ids('active')).not.toContain(gone.id);
    expect(await ids('revoked')).toEqual(expect.arrayContaining([gone.id]));
    expect(await ids('revoked')).not.toContain(active.id);
    const all = await tokens.list({ page: 1, size: 200 });
    expect(all.total).toBe(all.items.length);
    expect(JSON.stringify(all)).not.toContain(active.token);
    const created = all.items.map((t) => t.createdAt);
    expect(created).toEqual([...created].sort().reverse());
  });
});
