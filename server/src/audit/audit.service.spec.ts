import { randomUUID } from 'node:crypto';
import { openTestDatabase, TEST_DATABASES, type TestDatabase } from '../../test/support/test-database.js';
import { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { User } from '../users/user.entity.js';
import { AuditEntry } from './audit-entry.entity.js';
import { AuditService } from './audit.service.js';

const DAY = 24 * 3600 * 1000;

describe.each(TEST_DATABASES)('AuditService on %s', (kind) => {
  let t: TestDatabase;
  let audit: AuditService;

  beforeEach(async () => {
    t = await openTestDatabase(kind);
    const repo = <E extends object>(e: new () => E) => t.db.getRepository(e);
    audit = new AuditService(repo(AuditEntry), repo(Resource), repo(Node), repo(User));
  });
  afterEach(() => t.close());

  async function entryAged(days: number, action = 'auth.login'): Promise<string> {
    const id = randomUUID();
    await t.db.getRepository(AuditEntry).insert({ id, action, username: 'ivy', at: new Date(Date.now() - days * DAY) });
    return id;
  }

  it('prunes only what is older than the retention, however many batches it takes', async () => {
    const kept = [await entryAged(1), await entryAged(29)];
    for (let i = 0; i < 12; i++) await entryAged(31 + i);
    expect(await audit.prune(30, Date.now(), 5)).toBe(12);
    const left = await t.db.getRepository(AuditEntry).find();
    expect(left.map((e) => e.id).sort()).toEqual(kept.sort());
    expect(await audit.prune(30)).toBe(0);
  });

  it('exports every match once, newest first, in batches, up to the limit', async () => {
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(await entryAged(i));
    await entryAged(3, 'resource.publish');
    const batches = [];
    for await (const batch of audit.export({ action: 'auth.login' }, 100, 3)) batches.push(batch.map((e) => e.id));
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(batches.flat()).toEqual(ids);
    const capped = [];
    for await (const batch of audit.export({}, 5, 3)) capped.push(...batch);
    expect(capped).toHaveLength(5);
  });
});
