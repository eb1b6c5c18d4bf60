import type { TestingModule } from '@nestjs/testing';
import { decodeJwt } from 'jose';
import { DataSource } from 'typeorm';
import type { AuthenticatedNode, AuthenticatedUser } from '../common/principals.js';
import type { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { insertNode, insertResource } from '../../test/support/fixtures.js';
import { openTestApp } from '../../test/support/test-app.js';
import { PreheatJobEntity } from './preheat-job.entity.js';
import { PreheatModule } from './preheat.module.js';
import { PreheatService } from './preheat.service.js';

const refusal = (code: string, errors?: Record<string, string>) => ({
  response: expect.objectContaining({ code, ...(errors ? { errors } : {}) }),
});

describe('PreheatService', () => {
  let app: TestingModule;
  let preheat: PreheatService;
  let db: DataSource;
  const admin: AuthenticatedUser = { id: 'a0000000-0000-4000-8000-000000000001', username: 'admin', role: 'admin' };

  beforeAll(async () => {
    app = await openTestApp(PreheatModule);
    preheat = app.get(PreheatService);
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
  });

  const principal = (n: Node): AuthenticatedNode => ({
    id: n.id,
    name: n.name,
    role: n.role,
    site: n.site,
    issuedAt: 0,
  });
  const seed = async (o: Partial<Node> = {}) => principal(await insertNode(db, { role: 'seed', ...o }));

  it('places a resource on the seed servers named, refusing any that cannot take it', async () => {
    const { id: resourceId } = await insertResource(db);
    const [s1, s2] = [await seed({ name: 'seed-b' }), await seed({ name: 'seed-a' })];
    const job = await preheat.create({ resourceId, nodeIds: [s1.id, s2.id] }, admin);
    expect(job).toMatchObject({ resourceId, site: null, createdBy: admin.id, cancelled: false });
    // tasks by node name
    expect(job.tasks.map((t) => [t.nodeName, t.state, t.percent])).toEqual([
      ['seed-a', 'queued', 0],
      ['seed-b', 'queued', 0],
    ]);

    const client = await insertNode(db, { role: 'client' });
    const revoked = await insertNode(db, { role: 'seed', revokedAt: new Date() });
    const unknown = '00000000-0000-4000-8000-00000000000f';
    for (const [target, why] of [
      [client.id, 'not a seed server'],
      [revoked.id, 'revoked'],
      [unknown, 'unknown node'],
    ]) {
      await expect(preheat.create({ resourceId, nodeIds: [s1.id, target] }, admin)).rejects.toMatchObject(
        refusal('invalid_target', { 'nodeIds.1': why }),
      );
    }
    await expect(preheat.create({ resourceId: unknown, nodeIds: [s1.id] }, admin)).rejects.toMatchObject(
      refusal('resource_not_found'),
    );
    await expect(preheat.create({ resourceId }, admin)).rejects.toMatchObject(refusal('validation_failed'));
    await expect(preheat.create({ resourceId, nodeIds: [s1.id], site: 'x' }, admin)).rejects.toMatchObject(
      refusal('validation_failed'),
    );
  });

  it('places a resource on every active seed server of a site, and refuses a site that has none', async () => {
    const { id: resourceId } = await insertResource(db);
    const inSite = [await seed({ site: 'ams' }), await seed({ site: 'ams' })];
    await seed({ site: 'ams', revokedAt: new Date() });
    await insertNode(db, { role: 'client', site: 'ams' });
    await seed({ site: 'lis' });
    const job = await preheat.create({ resourceId, site: 'ams' }, admin);
    expect(job.site).toBe('ams');
    expect(job.tasks.map((t) => t.nodeId).sort()).toEqual(inSite.map((s) => s.id).sort());
    await expect(preheat.create({ resourceId, site: 'nowhere' }, admin)).rejects.toMatchObject(
      refusal('invalid_target', { site: 'no seed server in this site' }),
    );
  });

  it('hands each seed server its tasks at heartbeat and records its progress, not that of others', async () => {
    const { id: resourceId } = await insertResource(db);
    const [mine, other] = [await seed(), await seed()];
    const job = await preheat.create({ resourceId, nodeIds: [mine.id, other.id] }, admin);
    expect(await preheat.heartbeat(mine)).toEqual({ preheat: [{ jobId: job.id, resourceId }], preheatCancelled: [] });

    await preheat.heartbeat(mine, [{ jobId: job.id, state: 'running', percent: 41.6 }]);
    // each node's report changes its own task only
    await preheat.heartbeat(other, [{ jobId: job.id, state: 'failed', percent: 250, error: 'e'.repeat(600) }]);
    const tasks = new Map((await preheat.get(job.id)).tasks.map((t) => [t.nodeId, t]));
    expect(tasks.get(mine.id)).toMatchObject({ state: 'running', percent: 42, error: null });
    expect(tasks.get(other.id)).toMatchObject({ state: 'failed', percent: 100 });
    expect(tasks.get(other.id)!.error).toHaveLength(500);

    // a finished task is no longer handed out, and a late report does not reopen it
    await preheat.heartbeat(mine, [{ jobId: job.id, state: 'done', percent: 100 }]);
    expect(await preheat.heartbeat(mine, [{ jobId: job.id, state: 'running', percent: 10 }])).toEqual({
      preheat: [],
      preheatCancelled: [],
    });
    expect((await preheat.get(job.id)).tasks.find((t) => t.nodeId === mine.id)).toMatchObject({ state: 'done' });
  });

  it('tells the seed servers to stop a cancelled job, leaving finished tasks as they are', async () => {
    const { id: resourceId } = await insertResource(db);
    const [done, busy] = [await seed(), await seed()];
    const job = await preheat.create({ resourceId, nodeIds: [done.id, busy.id] }, admin);
    await preheat.heartbeat(done, [{ jobId: job.id, state: 'done', percent: 100 }]);
    await preheat.heartbeat(busy, [{ jobId: job.id, state: 'running', percent: 30 }]);
    const cancelled = await preheat.cancel(job.id);
    expect(cancelled.cancelled).toBe(true);
    expect(new Map(cancelled.tasks.map((t) => [t.nodeId, t.state]))).toEqual(
      new Map([
        [done.id, 'done'],
        [busy.id, 'cancelled'],
      ]),
    );
    expect(await preheat.heartbeat(busy)).toEqual({ preheat: [], preheatCancelled: [job.id] });
    expect((await preheat.cancel(job.id)).tasks).toEqual(cancelled.tasks);
    await expect(preheat.manifestFor(busy, job.id)).rejects.toMatchObject(refusal('preheat_task_not_found'));
  });

  it('gives a seed server the manifest of its task, with a ticket bound to it', async () => {
    const resource = await insertResource(db);
    const target = await seed();
    const job = await preheat.create({ resourceId: resource.id, nodeIds: [target.id] }, admin);
    const manifest = await preheat.manifestFor(target, job.id);
    expect(manifest).toMatchObject({ resourceId: resource.id, contentId: resource.contentId, name: resource.name });
    expect(decodeJwt(manifest.ticket)).toMatchObject({ res: resource.id, node: target.id });
    await expect(preheat.manifestFor(await seed(), job.id)).rejects.toMatchObject(refusal('preheat_task_not_found'));
  });

  it('lists the jobs of a resource, newest first, naming a deleted resource as such', async () => {
    const resource = await insertResource(db);
    const target = await seed();
    const first = await preheat.create({ resourceId: resource.id, nodeIds: [target.id] }, admin);
    const second = await preheat.create({ resourceId: resource.id, nodeIds: [target.id] }, admin);
    await preheat.create({ resourceId: (await insertResource(db)).id, nodeIds: [target.id] }, admin);
    // SQLite stores TypeORM's creation time to the second: make the order unambiguous
    await db.getRepository(PreheatJobEntity).update({ id: first.id }, { createdAt: new Date(Date.now() - 60_000) });
    expect((await preheat.list(resource.id)).map((j) => j.id)).toEqual([second.id, first.id]);
    await db.getRepository(Resource).delete({ id: resource.id });
    expect((await preheat.get(first.id)).resourceName).toBe('(deleted)');
    await expect(preheat.get('00000000-0000-4000-8000-00000000000e')).rejects.toMatchObject(
      refusal('preheat_job_not_found'),
    );
  });
});
