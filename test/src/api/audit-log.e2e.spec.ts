/**
 * The audit log as an auditor uses it, on SQLite and MariaDB: every entry names who, what,
 * which (names, not only ids) and from where; sign-ins and failed ones are there; the log
 * filters by actor, action, target and time, and exports as CSV that a spreadsheet opens
 * safely, the export itself recorded.
 */
import { Api } from '../harness/api-client.js';
import { DATABASES } from '../harness/databases.js';
import { metadata } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

interface Entry {
  action: string;
  username: string | null;
  resourceId: string | null;
  resourceName: string | null;
  subjectUserId: string | null;
  subjectUsername: string | null;
  address: string | null;
  detail: string | null;
  at: string;
}

describe.each(DATABASES)('the audit log on %s', (db) => {
  let server: RunningServer;
  let admin: Api;
  let ivyId: string;
  let datasetId: string;
  const started = new Date().toISOString();

  beforeAll(async () => {
    server = await startServer({ db });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    ivyId = (await admin.post('/api/admin/users', { username: 'ivy', password: 'ivy-password-1', role: 'member' })).body
      .id;
    expect(
      (await new Api(server.url).post('/api/auth/login', { username: 'ivy', password: 'wrong-one-1' })).status,
    ).toBe(401);
    const ivy = await new Api(server.url).login('ivy', 'ivy-password-1');
    datasetId = (await admin.post('/api/admin/resources', metadata('Quarterly dataset'))).body.id;
    await admin.patch(`/api/admin/resources/${datasetId}`, { description: 'Q3 figures' });
    const old = (await admin.post('/api/admin/resources', metadata('old kit'))).body.id;
    expect((await admin.delete(`/api/admin/resources/${old}`)).status).toBe(204);
    await admin.post('/api/admin/resources', metadata('=HYPERLINK("http://evil.example","open me")'));
    expect((await ivy.get(`/api/resources/${datasetId}/manifest`)).status).toBe(200);
  }, 120_000);

  afterAll(() => server?.destroy());

  async function entries(query: string): Promise<Entry[]> {
    const res = await admin.get(`/api/admin/audit?size=200&${query}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(res.body.items.length);
    return res.body.items as Entry[];
  }

  it('names who, what, which and from where, sign-ins included', async () => {
    const all = await entries('');
    const one = (action: string, more: Partial<Entry> = {}) =>
      all.find((e) => e.action === action && Object.entries(more).every(([k, v]) => e[k as keyof Entry] === v));
    expect(one('user.create')).toMatchObject({ username: 'admin', subjectUserId: ivyId, subjectUsername: 'ivy' });
    expect(one('auth.login-failed')).toMatchObject({
      username: 'ivy',
      address: expect.stringMatching(/127\.0\.0\.1$/),
    });
    expect(one('auth.login', { username: 'ivy' })).toBeDefined();
    expect(one('manifest.download')).toMatchObject({ username: 'ivy', resourceName: 'Quarterly dataset' });
    // Actions by a signed-in admin say where they came from too.
    expect(one('resource.update')).toMatchObject({
      resourceName: 'Quarterly dataset',
      address: expect.stringMatching(/127\.0\.0\.1$/),
    });
    // A deleted resource has no row to name it: its entry keeps the name.
    expect(one('resource.delete')).toMatchObject({ resourceName: null, detail: '"old kit"' });
  });

  it('filters by actor, action, target (name or id) and time', async () => {
    expect((await entries('actor=ivy')).map((e) => e.action).sort()).toEqual([
      'auth.login',
      'auth.login-failed',
      'manifest.download',
    ]);
    expect((await entries('action=auth.login-failed')).map((e) => e.username)).toEqual(['ivy']);
    expect((await entries(`target=${encodeURIComponent('Quarterly dataset')}`)).map((e) => e.action).sort()).toEqual([
      'manifest.download',
      'resource.publish',
      'resource.update',
    ]);
    expect((await entries(`target=${ivyId}`)).map((e) => e.action)).toEqual(['user.create']);
    expect(await entries('target=nobody-by-that-name')).toEqual([]);
    expect((await entries(`from=${encodeURIComponent(started)}&action=resource.publish`)).length).toBe(3);
    expect(await entries(`to=${encodeURIComponent(started)}&action=resource.publish`)).toEqual([]);
    expect(await entries('from=2999-01-01T00:00:00Z')).toEqual([]);
  });

  it('refuses a filter it does not know with a clear message', async () => {
    const action = await admin.get('/api/admin/audit?action=resource.steal');
    expect(action.status).toBe(400);
    expect(action.body.message).toMatch(/^action must be one of auth\.login, /);
    const from = await admin.get('/api/admin/audit?from=yesterday');
    expect(from.status).toBe(400);
    expect(from.body.message).toBe('from must be an ISO 8601 date or instant');
  });

  it('exports what the filters select as CSV, formulas defused, and records the export', async () => {
    const res = await admin.get('/api/admin/audit/export?action=resource.publish');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="shoal-audit-[\d-]+\.csv"$/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'at,action,what,actor,address,resource_id,resource_name,node_id,node_name,subject_user_id,subject_username,detail',
    );
    expect(lines).toHaveLength(1 + 3);
    expect(lines.slice(1).every((l) => l.includes(',resource.publish,Published a resource,admin,'))).toBe(true);
    expect(lines.some((l) => l.includes(',Quarterly dataset,'))).toBe(true);
    // A name a spreadsheet would run as a formula is written as text.
    expect(lines.some((l) => l.includes(`,"'=HYPERLINK(""http://evil.example"",""open me"")",`))).toBe(true);

    const exports = await entries('action=audit.export');
    expect(exports).toEqual([expect.objectContaining({ username: 'admin', detail: 'action=resource.publish' })]);
  });
});
