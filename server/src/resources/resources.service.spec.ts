import type { TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AuthenticatedUser } from '../common/principals.js';
import { NodeHolding } from '../nodes/node-holding.entity.js';
import { insertNode } from '../../test/support/fixtures.js';
import { openTestApp } from '../../test/support/test-app.js';
import { SWARM_STORE, type SwarmStore } from '../tracker/swarm-store.js';
import { ResourceListQueryDto, type ResourceAdminPublishDto } from './dto/resource.dto.js';
import { ResourcesModule } from './resources.module.js';
import { ResourcesService } from './resources.service.js';

const PIECE = 16 * 1024;

/** Splitting metadata of fresh content: two pieces' worth in one file. */
const metadata = (name: string, o: Partial<ResourceAdminPublishDto> = {}): ResourceAdminPublishDto => ({
  name,
  description: 'spec',
  tags: ['spec'],
  totalSize: 2 * PIECE,
  pieceSize: PIECE,
  files: [{ path: 'disk.img', size: 2 * PIECE }],
  pieceHashes: [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')],
  ...o,
});

const refusal = (code: string) => ({ response: expect.objectContaining({ code }) });

/** The catalog's CRUD, and that search follows it at once (the word table and the cached catalog size). */
describe('ResourcesService', () => {
  let app: TestingModule;
  let resources: ResourcesService;
  let db: DataSource;
  const admin: AuthenticatedUser = { id: 'a0000000-0000-4000-8000-000000000002', username: 'admin', role: 'admin' };

  beforeAll(async () => {
    app = await openTestApp(ResourcesModule);
    resources = app.get(ResourcesService);
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
  });

  const find = async (q?: string) => {
    const page = await resources.list(Object.assign(new ResourceListQueryDto(), { q, size: 100 }));
    return { ids: page.items.map((i) => i.id), total: page.total };
  };
  const findTagged = async (tag: string, q?: string) => {
    const page = await resources.list(Object.assign(new ResourceListQueryDto(), { q, tag, size: 100 }));
    return { ids: page.items.map((i) => i.id), total: page.total };
  };

  it('publishes once per content: the same content again answers the existing resource', async () => {
    const meta = metadata('Quasar Desktop 24.04');
    const first = await resources.publish(meta, admin);
    expect(first.created).toBe(true);
    expect(first.resource).toMatchObject({ name: 'Quasar Desktop 24.04', publishedBy: admin.id, pieceCount: 2 });
    const again = await resources.publish({ ...meta, name: 'another name' }, admin);
    expect(again).toMatchObject({ created: false, resource: { id: first.resource.id, name: 'Quasar Desktop 24.04' } });
    expect(resources.pieceHashes(await resources.getOrFail(first.resource.id))).toEqual(meta.pieceHashes);
  });

  it('refuses unsafe paths, piece sizes that are not powers of two and inconsistent metadata', async () => {
    await expect(
      resources.publish(metadata('x', { files: [{ path: '../etc/passwd', size: 2 * PIECE }] }), admin),
    ).rejects.toMatchObject(refusal('validation_failed'));
    await expect(resources.publish(metadata('x', { pieceSize: 3 * PIECE }), admin)).rejects.toMatchObject(
      refusal('validation_failed'),
    );
    await expect(resources.publish(metadata('x', { totalSize: PIECE }), admin)).rejects.toMatchObject(
      refusal('metadata_inconsistent'),
    );
  });

  it('lists a published resource at once, in searches and in the catalog total', async () => {
    const before = await find();
    const { resource } = await resources.publish(metadata('Nebula Server 9 nightly'), admin);
    expect(await find()).toEqual({ ids: expect.arrayContaining([resource.id]), total: before.total + 1 });
    expect((await find('nebula nig')).ids).toEqual([resource.id]);
  });

  it('searches by the new name, description and tags after an edit, and forgets the old ones', async () => {
    const { resource } = await resources.publish(
      metadata('Pulsar Toolkit', { description: 'Spectrometer drivers', tags: ['Lab-Tools'] }),
      admin,
    );
    expect((await find('spectro')).ids).toEqual([resource.id]);
    expect((await findTagged('lab-tools')).ids).toEqual([resource.id]);
    await resources.update(resource.id, { name: '  Magnetar Toolkit ' });
    expect((await find('pulsar')).ids).toEqual([]);
    expect((await find('magnetar spectrometer')).ids).toEqual([resource.id]);
    await resources.update(resource.id, { description: 'now with docs', tags: ['docs'] });
    expect((await find('magnetar toolkit')).ids).toEqual([resource.id]);
    expect((await find('docs now')).ids).toEqual([resource.id]);
    expect((await find('spectrometer')).ids).toEqual([]);
    expect((await findTagged('lab-tools')).ids).toEqual([]);
    expect((await findTagged('DOCS', 'magnetar')).ids).toEqual([resource.id]);
    expect(await resources.getOrFail(resource.id)).toMatchObject({
      name: 'Magnetar Toolkit',
      nameLower: 'magnetar toolkit',
      description: 'now with docs',
      tags: ['docs'],
    });
  });

  it('deletes a resource with its words and holdings: gone from searches, the total and the detail page', async () => {
    const { resource } = await resources.publish(metadata('Blazar Dataset'), admin);
    const seed = await insertNode(db, { role: 'seed' });
    await db
      .getRepository(NodeHolding)
      .insert({ nodeId: seed.id, resourceId: resource.id, complete: true, piecesHeld: 2 });
    const before = await find();
    await resources.remove(resource.id);
    expect(await find()).toEqual({ ids: expect.not.arrayContaining([resource.id]), total: before.total - 1 });
    expect((await find('blazar')).ids).toEqual([]);
    expect(await db.getRepository(NodeHolding).countBy({ resourceId: resource.id })).toBe(0);
    await expect(resources.detail(resource.id)).rejects.toMatchObject(refusal('resource_not_found'));
    await expect(resources.remove(resource.id)).rejects.toMatchObject(refusal('resource_not_found'));
  });

  it('shows on the detail page the nodes holding all of it and the swarm members still downloading', async () => {
    const { resource } = await resources.publish(metadata('Quasar Server 24.04'), admin);
    const holdings = db.getRepository(NodeHolding);
    const online = await insertNode(db, { role: 'seed', name: 'seed-online', lastHeartbeatAt: new Date() });
    const offline = await insertNode(db, { role: 'seed', name: 'seed-offline', lastHeartbeatAt: null });
    const partial = await insertNode(db, { role: 'client', name: 'client-partial', lastHeartbeatAt: new Date() });
    await holdings.insert([
      { nodeId: online.id, resourceId: resource.id, complete: true, piecesHeld: 2 },
      { nodeId: offline.id, resourceId: resource.id, complete: true, piecesHeld: 2 },
      { nodeId: partial.id, resourceId: resource.id, complete: false, piecesHeld: 1 },
    ]);
    const swarm = app.get<SwarmStore>(SWARM_STORE);
    const member = { role: 'client' as const, site: 'fra', addresses: ['10.3.0.1:7070'] };
    await swarm.upsert(resource.id, { ...member, nodeId: 'downloading', name: 'downloading', left: 10 }, 60);
    await swarm.upsert(resource.id, { ...member, nodeId: 'finished', name: 'finished', left: 0 }, 60);

    const detail = await resources.detail(resource.id);
    expect(detail).toMatchObject({ id: resource.id, pieceSize: PIECE, pieceCount: 2, files: resource.files });
    expect(detail.providers.map((p) => [p.name, p.online]).sort()).toEqual([
      ['seed-offline', false],
      ['seed-online', true],
    ]);
    expect(detail.downloaders).toEqual([{ nodeId: 'downloading', name: 'downloading', ...member, complete: false }]);
  });
});
