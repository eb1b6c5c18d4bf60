import type { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { DataSource } from 'typeorm';
import type { AuthenticatedNode, AuthenticatedUser } from '../common/principals.js';
import type { Node } from '../nodes/node.entity.js';
import { User } from '../users/user.entity.js';
import { insertNode, insertResource } from '../../test/support/fixtures.js';
import { openTestApp } from '../../test/support/test-app.js';
import { DownloadRequestsModule } from './download-requests.module.js';
import { DownloadRequestsService } from './download-requests.service.js';

/**
 * The rules beside the API suite (test/src/api/download-requests.e2e.spec.ts): which
 * machines a user may pick, what a user sees, and a request whose asker is gone.
 */
describe('DownloadRequestsService', () => {
  let app: TestingModule;
  let service: DownloadRequestsService;
  let db: DataSource;

  beforeAll(async () => {
    app = await openTestApp(DownloadRequestsModule);
    service = app.get(DownloadRequestsService);
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
  });

  async function user(role: 'admin' | 'member' = 'member'): Promise<AuthenticatedUser> {
    const id = randomUUID();
    const username = `u-${id.slice(0, 8)}`;
    await db.getRepository(User).insert({ id, username, passwordHash: 'x', role, disabled: false });
    return { id, username, role };
  }
  const principal = (n: Node): AuthenticatedNode => ({
    id: n.id,
    name: n.name,
    role: n.role,
    site: n.site,
    issuedAt: 0,
  });

  it('offers a user their own machines only: not revoked ones, not the built-in seed, not others’', async () => {
    const me = await user();
    const other = await user();
    const recent = new Date();
    await insertNode(db, { role: 'client', name: 'b-laptop', enrolledBy: me.id, lastHeartbeatAt: recent });
    await insertNode(db, { role: 'client', name: 'a-desktop', enrolledBy: me.id });
    await insertNode(db, { role: 'client', name: 'old', enrolledBy: me.id, revokedAt: recent });
    await insertNode(db, { role: 'seed', name: 'builtin', enrolledBy: me.id, builtin: true });
    await insertNode(db, { role: 'client', name: 'theirs', enrolledBy: other.id });
    expect((await service.myNodes(me)).map((n) => [n.name, n.online])).toEqual([
      ['a-desktop', false],
      ['b-laptop', true],
    ]);
  });

  it('shows a member what an admin sent to their machine, and lets them cancel it; nobody else sees it', async () => {
    const [admin, owner, stranger] = [await user('admin'), await user(), await user()];
    const node = await insertNode(db, { role: 'client', enrolledBy: owner.id });
    const resource = await insertResource(db, { name: 'sent by admin' });
    const sent = await service.create({ resourceId: resource.id, nodeId: node.id }, admin);
    expect(sent).toMatchObject({ requestedBy: admin.username, state: 'queued', totalBytes: 4096 });

    expect((await service.list(owner, 1, 25)).items.map((r) => r.id)).toEqual([sent.id]);
    expect((await service.list(stranger, 1, 25)).total).toBe(0);
    await expect(service.cancel(sent.id, stranger)).rejects.toMatchObject({
      response: expect.objectContaining({ code: 'download_request_not_found' }),
    });
    expect((await service.cancel(sent.id, owner)).state).toBe('cancelled');
    // Cancelling again changes nothing.
    expect((await service.cancel(sent.id, owner)).state).toBe('cancelled');
  });

  it('refuses the built-in seed and revoked nodes as targets', async () => {
    const admin = await user('admin');
    const resource = await insertResource(db);
    for (const [o, why] of [
      [{ builtin: true }, 'the built-in seed takes no requests'],
      [{ revokedAt: new Date() }, 'revoked'],
    ] as const) {
      const node = await insertNode(db, { role: 'seed', ...o });
      await expect(service.create({ resourceId: resource.id, nodeId: node.id }, admin)).rejects.toMatchObject({
        response: expect.objectContaining({ code: 'invalid_target', errors: { nodeId: why } }),
      });
    }
  });

  it('gives the node a ticket of the user who asked, bound to it, and none once that user is disabled', async () => {
    const asker = await user();
    const node = await insertNode(db, { role: 'client', enrolledBy: asker.id });
    const resource = await insertResource(db);
    const request = await service.create({ resourceId: resource.id, nodeId: node.id }, asker);
    const manifest = await service.manifestFor(principal(node), request.id);
    expect(decodeJwt(manifest.ticket)).toMatchObject({ sub: asker.id, res: resource.id, node: node.id });

    await db.getRepository(User).update({ id: asker.id }, { disabled: true });
    await expect(service.manifestFor(principal(node), request.id)).rejects.toMatchObject({
      response: expect.objectContaining({ code: 'owner_inactive' }),
    });
  });
});
