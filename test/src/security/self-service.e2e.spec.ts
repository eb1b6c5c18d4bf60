/**
 * Self-service on the real server (issue 16 item 4): a user changes their own password,
 * which ends their other sessions, and signs out everywhere; an admin's reset ends the
 * user's sessions too. API tokens are not sessions and cannot do either.
 */
import { Api } from '../harness/api-client.js';
import { DATABASES } from '../harness/databases.js';
import { nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

describe.each(DATABASES)('self-service (%s)', (db) => {
  let server: RunningServer;
  let anon: Api;
  let admin: Api;

  beforeAll(async () => {
    server = await startServer({ db });
    anon = new Api(server.url);
    admin = await anon.login('admin', ADMIN_PASSWORD);
  });
  afterAll(async () => server?.destroy());

  async function newUser(name: string): Promise<{ id: string; password: string }> {
    const password = `${name}-password-1`;
    const res = await admin.post('/api/admin/users', { username: name, password, role: 'member' });
    expect(res.status).toBe(201);
    return { id: res.body.id, password };
  }
  const canRead = async (api: Api) => (await api.get('/api/auth/me')).status;

  it('changes the password: the old one stops working, other sessions end, this one goes on with a fresh token', async () => {
    const { password } = await newUser('pia');
    const laptop = await anon.login('pia', password);
    const phone = await anon.login('pia', password);
    const res = await laptop.patch('/api/me/password', {
      currentPassword: password,
      newPassword: 'pia-new-password-2',
    });
    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe('pia');
    const renewed = anon.withToken(res.body.accessToken);
    expect(await canRead(renewed)).toBe(200);
    expect(await canRead(phone)).toBe(401);
    expect(await canRead(laptop)).toBe(401);
    expect((await phone.post('/api/auth/refresh')).status).toBe(401);
    expect((await anon.post('/api/auth/login', { username: 'pia', password })).status).toBe(401);
    expect(await canRead(await anon.login('pia', 'pia-new-password-2'))).toBe(200);
    const audit = (await admin.get('/api/admin/audit?size=50')).body.items as { action: string; username: string }[];
    expect(audit.find((e) => e.action === 'user.password-change')?.username).toBe('pia');
  });

  it('refuses a wrong current password (400, the session stays), the same password, and a short one', async () => {
    const { password } = await newUser('quin');
    const quin = await anon.login('quin', password);
    const wrong = await quin.patch('/api/me/password', {
      currentPassword: 'guess-1234',
      newPassword: 'quin-new-pass-2',
    });
    expect([wrong.status, wrong.body.code, wrong.body.errors]).toEqual([
      400,
      'wrong_password',
      { currentPassword: 'is wrong' },
    ]);
    const same = await quin.patch('/api/me/password', { currentPassword: password, newPassword: password });
    expect([same.status, same.body.code]).toEqual([400, 'same_password']);
    const short = await quin.patch('/api/me/password', { currentPassword: password, newPassword: 'short' });
    expect([short.status, short.body.code, Object.keys(short.body.errors)]).toEqual([
      400,
      'validation_failed',
      ['newPassword'],
    ]);
    expect(await canRead(quin)).toBe(200);
    expect((await anon.post('/api/auth/login', { username: 'quin', password })).status).toBe(200);
  });

  it('throttles guessing the current password with a stolen session, as it throttles logins', async () => {
    const { password } = await newUser('rex');
    const rex = await anon.login('rex', password);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await rex.patch('/api/me/password', { currentPassword: `guess-${i}-x`, newPassword: 'rex-new-pass-2' }))
          .status,
      );
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses).toContain(429);
  });

  it('signs out everywhere: every session ends, a new login works, API tokens go on', async () => {
    const { password } = await newUser('sam');
    const one = await anon.login('sam', password);
    const two = await anon.login('sam', password);
    const token = await one.post('/api/me/tokens', { name: 'cron', scopes: ['catalog:read'], expiresInDays: 1 });
    expect(token.status).toBe(201);
    const bot = anon.withToken(token.body.token);

    // Not with a token: it is not a session, and a leaked one must not lock its owner out.
    const byToken = await bot.post('/api/me/sign-out-everywhere');
    expect([byToken.status, byToken.body.code]).toEqual([403, 'session_required']);
    const pwByToken = await bot.patch('/api/me/password', { currentPassword: password, newPassword: 'sam-new-pass-2' });
    expect([pwByToken.status, pwByToken.body.code]).toEqual([403, 'session_required']);

    expect((await one.post('/api/me/sign-out-everywhere')).status).toBe(204);
    expect(await canRead(one)).toBe(401);
    expect(await canRead(two)).toBe(401);
    expect((await two.post('/api/auth/refresh')).status).toBe(401);
    // Nor does an ended session enroll a machine (enrollment checks the user token itself).
    const enroll = await two.post('/api/nodes/enroll', {
      name: 'sam-laptop',
      role: 'client',
      addresses: ['127.0.0.1:7400'],
      publicKey: nodeKey().publicJwk,
    });
    expect(enroll.status).toBe(401);
    expect(await canRead(bot)).toBe(200);
    const fresh = await anon.login('sam', password);
    expect(await canRead(fresh)).toBe(200);
    // The control: a live session enrolls the same machine.
    const enrolled = await fresh.post('/api/nodes/enroll', {
      name: 'sam-laptop',
      role: 'client',
      addresses: ['127.0.0.1:7400'],
      publicKey: nodeKey().publicJwk,
    });
    expect(enrolled.status).toBe(201);
  });

  it("ends a user's sessions when an admin resets their password", async () => {
    const { id, password } = await newUser('tia');
    const tia = await anon.login('tia', password);
    expect((await admin.post(`/api/admin/users/${id}/password`, { password: 'tia-reset-pass-2' })).status).toBe(204);
    expect(await canRead(tia)).toBe(401);
    expect(await canRead(await anon.login('tia', 'tia-reset-pass-2'))).toBe(200);
  });
});
