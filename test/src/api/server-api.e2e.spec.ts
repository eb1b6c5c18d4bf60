/**
 * The server's HTTP API end to end: a real server process on SQLite and on MariaDB, the
 * same assertions on both (so the migrations and every query are proven on both).
 */
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { Api } from '../harness/api-client.js';
import { DATABASES } from '../harness/databases.js';
import { metadata, nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

/**
 * Every database, plus SQLite with broad-search walking forced on (threshold 0), so the
 * catalog assertions prove both search strategies return the same rows.
 */
const VARIANTS: ['sqlite' | 'mysql', Record<string, string>][] = [
  ...DATABASES.map((db): ['sqlite' | 'mysql', Record<string, string>] => [db, {}]),
  ['sqlite', { SHOAL_SEARCH_WALK_THRESHOLD: '0' }],
];

describe.each(VARIANTS)('server API on %s %j', (db, env) => {
  let server: RunningServer;
  let anon: Api;
  let admin: Api;
  let member: Api;

  beforeAll(async () => {
    server = await startServer({ db, env });
    anon = new Api(server.url);
    admin = await anon.login('admin', ADMIN_PASSWORD);
    const created = await admin.post('/api/admin/users', {
      username: 'mia',
      password: 'member-password-1',
      role: 'member',
    });
    expect(created.status).toBe(201);
    member = await anon.login('mia', 'member-password-1');
  });

  afterAll(async () => {
    await server?.destroy();
  });

  async function enroll(role: 'seed' | 'client', opts: { site?: string; name?: string; addresses?: string[] } = {}) {
    const token = await admin.post('/api/admin/enrollment-tokens', { role, site: opts.site });
    expect(token.status).toBe(201);
    const key = nodeKey();
    const res = await anon.post('/api/nodes/enroll', {
      token: token.body.token,
      name: opts.name ?? `${role}-${Math.random().toString(36).slice(2, 8)}`,
      role,
      site: opts.site,
      addresses: opts.addresses ?? ['127.0.0.1:7070'],
      publicKey: key.publicJwk,
    });
    expect(res.status).toBe(201);
    return { ...res.body, key, api: anon.asNode(res.body.credential, key.privateKey) } as {
      nodeId: string;
      credential: string;
      key: ReturnType<typeof nodeKey>;
      api: Api;
    };
  }

  describe('health, docs and keys', () => {
    it('answers /health with the database up', async () => {
      expect((await anon.get('/health')).body).toEqual({ status: 'ok', database: 'up' });
    });

    it('serves the OpenAPI description publicly', async () => {
      const res = await anon.get('/api/docs-json');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/api/auth/login', '/api/resources/{id}/manifest']),
      );
    });

    it('publishes an Ed25519 JWKS', async () => {
      const res = await anon.get('/.well-known/jwks.json');
      expect(res.status).toBe(200);
      expect(res.body.keys[0]).toEqual(expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' }));
      expect(res.body.keys[0].d).toBeUndefined();
    });

    it('sets security headers and keeps CORS closed', async () => {
      const res = await anon.request('GET', '/health', undefined, { origin: 'https://evil.example' });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('login and roles', () => {
    it('refuses a wrong password with 401 and a stable code', async () => {
      const res = await anon.post('/api/auth/login', { username: 'admin', password: 'wrong-password' });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_credentials');
    });

    it('issues an HS256 token that expires within 15 minutes', async () => {
      const res = await anon.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
      const claims = decodeJwt(res.body.accessToken);
      expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(15 * 60);
      expect(res.body.user).toEqual(expect.objectContaining({ username: 'admin', role: 'admin' }));
      expect(res.body.user.passwordHash).toBeUndefined();
    });

    it('requires login by default', async () => {
      expect((await anon.get('/api/resources')).status).toBe(401);
      expect((await anon.withToken('not-a-jwt').get('/api/resources')).status).toBe(401);
    });

    it('refuses an unsigned (alg none) token', async () => {
      const [, payload] = admin.token!.split('.');
      const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
      expect((await anon.withToken(none).get('/api/auth/me')).status).toBe(401);
    });

    it.each([
      ['POST', '/api/admin/users', { username: 'x1', password: 'password-123', role: 'member' }],
      ['POST', '/api/admin/enrollment-tokens', {}],
      ['GET', '/api/admin/users', undefined],
      ['GET', '/api/admin/nodes', undefined],
      ['GET', '/api/admin/audit', undefined],
      ['GET', '/api/admin/audit/export', undefined],
      ['GET', '/api/admin/stats', undefined],
      ['POST', '/api/admin/resources', metadata('member-publish')],
      ['POST', '/api/admin/signing-keys/rotate', {}],
    ])('gives a member 403 on %s %s', async (method, path, body) => {
      const res = await member.request(method, path, body);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
    });

    it('refuses a disabled user at once, even with an unexpired token', async () => {
      await admin.post('/api/admin/users', { username: 'dora', password: 'dora-password-1', role: 'member' });
      const dora = await anon.login('dora', 'dora-password-1');
      expect((await dora.get('/api/auth/me')).status).toBe(200);
      const list = await admin.get('/api/admin/users?q=dor');
      const id = list.body.items[0].id;
      expect((await admin.patch(`/api/admin/users/${id}`, { disabled: true })).status).toBe(200);
      expect((await dora.get('/api/auth/me')).status).toBe(401);
      expect((await anon.post('/api/auth/login', { username: 'dora', password: 'dora-password-1' })).status).toBe(401);
    });

    it('refuses a demoted admin the admin routes at once, even with an unexpired token', async () => {
      await admin.post('/api/admin/users', { username: 'deb', password: 'deb-password-1', role: 'admin' });
      const deb = await anon.login('deb', 'deb-password-1');
      // Read (and remembered by the guard) as an admin just before the change.
      expect((await deb.get('/api/admin/users')).status).toBe(200);
      const id = (await admin.get('/api/admin/users?q=deb')).body.items[0].id;
      expect((await admin.patch(`/api/admin/users/${id}`, { role: 'member' })).status).toBe(200);
      const refused = await deb.get('/api/admin/users');
      expect(refused.status).toBe(403);
      expect((await deb.get('/api/auth/me')).body.role).toBe('member');
    });

    it('lets an admin change a role and reset a password', async () => {
      const created = await admin.post('/api/admin/users', {
        username: 'pete',
        password: 'pete-password-1',
        role: 'member',
      });
      const id = created.body.id;
      expect((await admin.patch(`/api/admin/users/${id}`, { role: 'admin' })).body.role).toBe('admin');
      expect((await admin.post(`/api/admin/users/${id}/password`, { password: 'pete-new-password' })).status).toBe(204);
      expect((await anon.post('/api/auth/login', { username: 'pete', password: 'pete-password-1' })).status).toBe(401);
      const pete = await anon.login('pete', 'pete-new-password');
      expect((await pete.get('/api/admin/users')).status).toBe(200);
    });

    it('refreshes an access token within the same session', async () => {
      const res = await member.post('/api/auth/refresh');
      expect(res.status).toBe(200);
      const before = decodeJwt(member.token!);
      const after = decodeJwt(res.body.accessToken);
      expect(after.auth_time).toBe(before.auth_time);
      expect(after.exp!).toBeGreaterThanOrEqual(before.exp!);
      expect((await anon.withToken(res.body.accessToken).get('/api/auth/me')).body.username).toBe('mia');
      expect((await anon.post('/api/auth/refresh')).status).toBe(401);
    });

    it('refuses a duplicate username with 409', async () => {
      const res = await admin.post('/api/admin/users', {
        username: 'MIA',
        password: 'another-password',
        role: 'member',
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('username_taken');
    });

    it('throttles repeated failed logins for an account, but not the right password of others', async () => {
      await admin.post('/api/admin/users', { username: 'brute', password: 'brute-password-1', role: 'member' });
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) {
        codes.push((await anon.post('/api/auth/login', { username: 'brute', password: `guess-${i}` })).status);
      }
      expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(codes.slice(5)).toEqual([429, 429]);
      // Even the right password is refused while the account is throttled from this address...
      expect((await anon.post('/api/auth/login', { username: 'brute', password: 'brute-password-1' })).status).toBe(
        429,
      );
      // ...while other accounts log in normally.
      expect((await anon.post('/api/auth/login', { username: 'mia', password: 'member-password-1' })).status).toBe(200);
    });
  });

  describe('bad input', () => {
    it.each([
      ['missing fields', {}, 'username'],
      ['wrong types', { username: 5, password: true }, 'username'],
      ['unknown fields', { username: 'a', password: 'b', extra: 1 }, 'extra'],
      ['huge strings', { username: 'a'.repeat(100_000), password: 'b' }, 'username'],
    ])('answers login with %s by 400 naming the field', async (_, body, field) => {
      const res = await anon.post('/api/auth/login', body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(Object.keys(res.body.errors)).toContain(field);
    });

    it('answers malformed JSON with 400, not 500', async () => {
      const res = await anon.request('POST', '/api/auth/login', '{"username":', { 'content-type': 'application/json' });
      expect(res.status).toBe(400);
    });

    it.each([
      ['/etc/passwd', 'files.0.path'],
      ['a/../../b', 'files.0.path'],
      ['C:/Windows/x', 'files.0.path'],
      ['a\u0000b', 'files.0.path'],
      ['a\\b', 'files.0.path'],
    ])('refuses to publish path %j (400 naming %s) and stores nothing', async (path, field) => {
      const meta = metadata(`bad-path-${Math.random()}`);
      meta.files[0].path = path;
      const res = await admin.post('/api/admin/resources', meta);
      expect(res.status).toBe(400);
      expect(res.body.errors[field]).toBeDefined();
      expect((await admin.get(`/api/resources?q=${encodeURIComponent('bad-path')}`)).body.total).toBe(0);
    });

    it('refuses inconsistent sizes and piece counts with 422 naming the field', async () => {
      const meta = metadata('inconsistent');
      const sizes = await admin.post('/api/admin/resources', { ...meta, totalSize: meta.totalSize + 1 });
      expect(sizes.status).toBe(422);
      expect(sizes.body.errors.totalSize).toBeDefined();
      const pieces = await admin.post('/api/admin/resources', { ...meta, pieceHashes: meta.pieceHashes.slice(1) });
      expect(pieces.status).toBe(422);
      expect(pieces.body.errors.pieceHashes).toBeDefined();
      const power = await admin.post('/api/admin/resources', { ...meta, pieceSize: 20_000 });
      expect(power.status).toBe(400);
      expect(power.body.errors.pieceSize).toBeDefined();
    });

    it('answers bad list parameters with 400', async () => {
      expect((await member.get('/api/resources?size=100000')).status).toBe(400);
      expect((await member.get('/api/resources?sort=password')).status).toBe(400);
      expect((await member.get('/api/resources?page=-1')).status).toBe(400);
      expect((await member.get('/api/resources/not-a-uuid')).status).toBe(400);
    });
  });

  describe('catalog', () => {
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      for (const [name, sizes] of [
        ['Ubuntu-24.04 Server', [100_000]],
        ['ubuntu-22.04-desktop', [50_000]],
        ['Model weights llama', [16_384, 0, 70_000]],
        ['100% pure_data', [20_000]],
        ["O'Brien\\backup", [30_000]],
      ] as const) {
        const res = await admin.post('/api/admin/resources', metadata(name, [...sizes]));
        expect(res.status).toBe(201);
        ids[name] = res.body.id;
      }
    });

    it('returns the detail with files, piece layout and content id after publish', async () => {
      const res = await member.get(`/api/resources/${ids['Model weights llama']}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          name: 'Model weights llama',
          size: 86_384,
          pieceSize: 16384,
          pieceCount: 6,
          fileCount: 3,
          seedCount: 0,
          downloaderCount: 0,
          contentId: expect.stringMatching(/^[0-9a-f]{64}$/),
        }),
      );
      expect(res.body.files.map((f: { size: number }) => f.size)).toEqual([16_384, 0, 70_000]);
    });

    it('is idempotent: the same content published again returns the existing resource', async () => {
      const meta = metadata('twice');
      const first = await admin.post('/api/admin/resources', meta);
      const second = await admin.post('/api/admin/resources', { ...meta, name: 'twice again' });
      expect(first.status).toBe(201);
      expect(second.status).toBe(200);
      expect(second.body.id).toBe(first.body.id);
      expect(second.body.contentId).toBe(first.body.contentId);
    });

    it('searches names case-insensitively by word prefix', async () => {
      const names = async (q: string) =>
        (
          (await member.get(`/api/resources?q=${encodeURIComponent(q)}&sort=name`)).body.items as { name: string }[]
        ).map((i) => i.name);
      expect(await names('UBUNTU')).toEqual(['ubuntu-22.04-desktop', 'Ubuntu-24.04 Server']);
      expect(await names('ubu serv')).toEqual(['Ubuntu-24.04 Server']);
      // several words: any order, the rarest read first, a word that starts another adds nothing
      expect(await names('SERVER ubuntu')).toEqual(['Ubuntu-24.04 Server']);
      expect(await names('ubuntu 24 serv')).toEqual(['Ubuntu-24.04 Server']);
      expect(await names('ubuntu ubu 04')).toEqual(['ubuntu-22.04-desktop', 'Ubuntu-24.04 Server']);
      expect(await names('ubuntu desk 24')).toEqual([]);
      expect(await names('weights model llama')).toEqual(['Model weights llama']);
      expect(await names('llam')).toEqual(['Model weights llama']);
      expect(await names('nothing-like-this')).toEqual([]);
    });

    it('treats SQL and LIKE metacharacters as plain text', async () => {
      const names = async (q: string) =>
        ((await member.get(`/api/resources?q=${encodeURIComponent(q)}`)).body.items as { name: string }[]).map(
          (i) => i.name,
        );
      expect(await names('100%')).toEqual(['100% pure_data']);
      expect(await names('%')).toEqual(['100% pure_data']);
      expect(await names('_')).toEqual(['100% pure_data']);
      expect(await names('0%')).toEqual([]); // "0" starts no word of the name
      expect(await names('pure%')).toEqual([]);
      expect(await names("o'brien")).toEqual(["O'Brien\\backup"]);
      expect(await names('brien\\backup')).toEqual(["O'Brien\\backup"]);
      expect(await names("' OR 1=1 --")).toEqual([]);
    });

    it('sorts on every column and paginates', async () => {
      const bySize = await member.get('/api/resources?sort=-size&size=2&page=1');
      expect(bySize.body.items.map((i: { size: number }) => i.size)).toEqual([100_000, 86_384]);
      expect(bySize.body.total).toBeGreaterThanOrEqual(6);
      const page2 = await member.get('/api/resources?sort=-size&size=2&page=2');
      expect(page2.body.items[0].size).toBeLessThanOrEqual(86_384);
      for (const sort of ['name', '-name', 'seeds', 'downloaders', 'created', '-updated']) {
        expect((await member.get(`/api/resources?sort=${sort}`)).status).toBe(200);
      }
    });

    it('lets admins edit and delete, and search follows a rename', async () => {
      const id = ids['100% pure_data'];
      const edited = await admin.patch(`/api/admin/resources/${id}`, {
        name: 'renamed dataset',
        description: 'new',
        tags: ['ml', 'v2'],
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toEqual(
        expect.objectContaining({ name: 'renamed dataset', description: 'new', tags: ['ml', 'v2'] }),
      );
      expect((await member.get('/api/resources?q=renamed')).body.total).toBe(1);
      expect((await member.get('/api/resources?q=pure')).body.total).toBe(0);
      expect((await member.patch(`/api/admin/resources/${id}`, { name: 'x' })).status).toBe(403);
      expect((await member.delete(`/api/admin/resources/${id}`)).status).toBe(403);
      expect((await admin.delete(`/api/admin/resources/${id}`)).status).toBe(204);
      expect((await member.get(`/api/resources/${id}`)).status).toBe(404);
    });

    it('serves a manifest as an attachment with a signed ticket for this user and resource, and audits it', async () => {
      const id = ids['Ubuntu-24.04 Server'];
      const res = await member.get(`/api/resources/${id}/manifest`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="Ubuntu-24.04_Server.shoal.json"');
      const manifest = res.body;
      expect(manifest).toEqual(
        expect.objectContaining({ format: 'shoal-manifest', version: 1, resourceId: id, totalSize: 100_000 }),
      );
      expect(manifest.trackerUrl).toBe(`${server.url}/api/tracker/announce`);
      const jwks = (await anon.get('/.well-known/jwks.json')).body as JSONWebKeySet;
      const { payload } = await jwtVerify(manifest.ticket, createLocalJWKSet(jwks), {
        algorithms: ['EdDSA'],
        issuer: 'shoal',
      });
      const me = await member.get('/api/auth/me');
      expect(payload).toEqual(
        expect.objectContaining({ typ: 'shoal-ticket', sub: me.body.id, res: id, cid: manifest.contentId }),
      );
      const audit = await admin.get('/api/admin/audit?size=50');
      expect(audit.body.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ action: 'manifest.download', username: 'mia', resourceId: id }),
        ]),
      );
    });
  });

  describe('nodes and tracker', () => {
    let resourceId: string;

    beforeAll(async () => {
      resourceId = (await admin.post('/api/admin/resources', metadata('swarm-test', [200_000]))).body.id;
    });

    it('enrolls a seed with a one-time token bound to its key, and refuses the token twice', async () => {
      const token = (await admin.post('/api/admin/enrollment-tokens', { role: 'seed', site: 'fra' })).body;
      expect(token.enrollCommand).toContain(token.token);
      const key = nodeKey();
      const body = {
        token: token.token,
        name: 'seed-a',
        role: 'seed',
        addresses: ['127.0.0.1:7001'],
        publicKey: key.publicJwk,
      };
      const first = await anon.post('/api/nodes/enroll', body);
      expect(first.status).toBe(201);
      const jwks = (await anon.get('/.well-known/jwks.json')).body as JSONWebKeySet;
      const { payload } = await jwtVerify(first.body.credential, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
      expect(payload).toEqual(
        expect.objectContaining({ typ: 'shoal-node', sub: first.body.nodeId, role: 'seed', site: 'fra' }),
      );
      expect((payload.cnf as { jwk: { x: string } }).jwk.x).toBe(key.publicJwk.x);
      const again = await anon.post('/api/nodes/enroll', body);
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('enrollment_token_invalid');
    });

    it('lets a logged-in user enroll a client but never a seed without a token', async () => {
      const key = nodeKey();
      const body = { name: 'laptop', role: 'client', addresses: ['127.0.0.1:7002'], publicKey: key.publicJwk };
      expect((await anon.post('/api/nodes/enroll', body)).status).toBe(401);
      expect((await member.post('/api/nodes/enroll', body)).status).toBe(201);
      expect((await member.post('/api/nodes/enroll', { ...body, role: 'seed' })).status).toBe(403);
    });

    it('accepts heartbeats and announces with fields from a newer agent, still validating known ones', async () => {
      const node = await enroll('client');
      const beat = { holdings: [], uploadedBytes: 0, downloadedBytes: 0, fromTheFuture: { x: 1 } };
      expect((await node.api.post('/api/nodes/heartbeat', beat)).status).toBe(200);
      expect((await node.api.post('/api/nodes/heartbeat', { ...beat, uploadedBytes: -1 })).status).toBe(400);
      const announce = { resourceId, event: 'started', left: 1, uploaded: 0, downloaded: 0, newField: true };
      expect((await node.api.post('/api/tracker/announce', announce)).status).toBe(200);
    });

    it('keeps node credentials and user tokens apart', async () => {
      const node = await enroll('client');
      expect((await node.api.get('/api/resources')).status).toBe(401);
      expect(
        (
          await member.post('/api/tracker/announce', {
            resourceId,
            event: 'started',
            left: 1,
            uploaded: 0,
            downloaded: 0,
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await node.api.post('/api/tracker/announce', {
            resourceId,
            event: 'started',
            left: 1,
            uploaded: 0,
            downloaded: 0,
          })
        ).status,
      ).toBe(200);
    });

    it('counts online seeds from heartbeats and returns peers, never the caller, same site first', async () => {
      const resourceId = (await admin.post('/api/admin/resources', metadata('peers-test', [200_000]))).body.id;
      const seed = await enroll('seed', { site: 'fra', addresses: ['127.0.0.1:7101'] });
      const hb = await seed.api.post('/api/nodes/heartbeat', {
        holdings: [{ resourceId, complete: true, piecesHeld: 13 }],
        uploadedBytes: 0,
        downloadedBytes: 0,
      });
      expect(hb.status).toBe(200);
      expect(hb.body.intervalSeconds).toBeGreaterThan(0);

      const far = await enroll('client', { site: 'nyc', addresses: ['127.0.0.1:7102'] });
      const near = await enroll('client', { site: 'fra', addresses: ['127.0.0.1:7103'] });
      const me = await enroll('client', { site: 'fra', addresses: ['127.0.0.1:7104'] });
      for (const n of [far, near]) {
        expect(
          (
            await n.api.post('/api/tracker/announce', {
              resourceId,
              event: 'started',
              left: 1000,
              uploaded: 0,
              downloaded: 0,
            })
          ).status,
        ).toBe(200);
      }
      const res = await me.api.post('/api/tracker/announce', {
        resourceId,
        event: 'started',
        left: 200_000,
        uploaded: 0,
        downloaded: 0,
      });
      expect(res.status).toBe(200);
      const peers = res.body.peers as { nodeId: string; site: string; role: string }[];
      expect(peers.map((p) => p.nodeId)).not.toContain(me.nodeId);
      expect(new Set(peers.map((p) => p.nodeId))).toEqual(new Set([seed.nodeId, far.nodeId, near.nodeId]));
      expect(peers.at(-1)!.site).toBe('nyc');

      await new Promise((r) => setTimeout(r, 2500)); // counts are refreshed about once a second
      const detail = await member.get(`/api/resources/${resourceId}`);
      expect(detail.body.seedCount).toBe(1);
      expect(detail.body.downloaderCount).toBe(3);
      expect(detail.body.providers).toEqual([expect.objectContaining({ nodeId: seed.nodeId, online: true })]);
      const manifest = (await admin.get(`/api/resources/${resourceId}/manifest?node=${me.nodeId}`)).body;
      expect(manifest.seeds.map((s: { nodeId: string }) => s.nodeId)).toEqual([seed.nodeId]);
      expect(manifest.peers.map((p: { nodeId: string }) => p.nodeId)).not.toContain(me.nodeId);

      const stopped = await far.api.post('/api/tracker/announce', {
        resourceId,
        event: 'stopped',
        left: 1000,
        uploaded: 0,
        downloaded: 0,
      });
      expect(stopped.status).toBe(200);
      const after = await me.api.post('/api/tracker/announce', {
        resourceId,
        event: 'update',
        left: 100,
        uploaded: 0,
        downloaded: 0,
      });
      expect(after.body.peers.map((p: { nodeId: string }) => p.nodeId)).not.toContain(far.nodeId);
    });

    it('lists the built-in seed as such and refuses to revoke it', async () => {
      const list = await admin.get('/api/admin/nodes?q=builtin');
      const builtin = list.body.items.find((n: { builtin: boolean }) => n.builtin);
      expect(builtin).toEqual(expect.objectContaining({ name: 'builtin-seed', role: 'seed', online: true }));
      const res = await admin.post(`/api/admin/nodes/${builtin.id}/revoke`);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('builtin_seed');
    });

    it('refuses a revoked node at once and tells other nodes', async () => {
      const node = await enroll('seed');
      const other = await enroll('seed');
      expect(
        (await node.api.post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 0, downloadedBytes: 0 })).status,
      ).toBe(200);
      const revoked = await admin.post(`/api/admin/nodes/${node.nodeId}/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revoked).toBe(true);
      const res = await node.api.post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 0, downloadedBytes: 0 });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('node_revoked');
      const hb = await other.api.post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 0, downloadedBytes: 0 });
      expect(hb.body.revokedNodeIds).toContain(node.nodeId);
      const resource = (await member.get('/api/resources?size=1')).body.items[0].id;
      const manifest = await admin.get(`/api/resources/${resource}/manifest?node=${node.nodeId}`);
      expect(manifest.status).toBe(403);
      expect(manifest.body.code).toBe('node_revoked');
    });

    it('lists nodes with filters, and records traffic for the dashboard', async () => {
      const seed = await enroll('seed', { name: 'dash-seed' });
      const client = await enroll('client', { name: 'dash-client' });
      await seed.api.post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 3000, downloadedBytes: 0 });
      await client.api.post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 1000, downloadedBytes: 4000 });
      const online = await admin.get('/api/admin/nodes?online=true&role=seed&sort=-lastHeartbeat');
      expect(online.body.items.map((n: { name: string }) => n.name)).toContain('dash-seed');
      expect(online.body.items.every((n: { role: string; online: boolean }) => n.role === 'seed' && n.online)).toBe(
        true,
      );
      const byName = await admin.get('/api/admin/nodes?q=dash-c');
      expect(byName.body.items).toEqual([
        expect.objectContaining({ name: 'dash-client', uploadedBytes: 1000, downloadedBytes: 4000 }),
      ]);
      const stats = await admin.get('/api/admin/stats');
      expect(stats.status).toBe(200);
      const total = (k: 'seedBytes' | 'peerBytes') =>
        stats.body.traffic.reduce((a: number, b: Record<string, number>) => a + b[k], 0);
      expect(total('seedBytes')).toBeGreaterThanOrEqual(3000);
      expect(total('peerBytes')).toBeGreaterThanOrEqual(1000);
    });

    it('runs a preheat job: seed servers of a site get tasks, fetch the manifest, report progress; cancel works', async () => {
      const resource = (await admin.post('/api/admin/resources', metadata('preheat-me', [50_000]))).body.id;
      const a = await enroll('seed', { site: 'ber', name: 'ber-1' });
      const b = await enroll('seed', { site: 'ber', name: 'ber-2' });
      const client = await enroll('client', { site: 'ber' });
      const beat = (node: typeof a, preheat?: unknown[]) =>
        node.api.post('/api/nodes/heartbeat', {
          holdings: [],
          uploadedBytes: 0,
          downloadedBytes: 0,
          ...(preheat ? { preheat } : {}),
        });

      expect((await member.post('/api/admin/preheat', { resourceId: resource, site: 'ber' })).status).toBe(403);
      const notSeed = await admin.post('/api/admin/preheat', { resourceId: resource, nodeIds: [client.nodeId] });
      expect(notSeed.status).toBe(422);
      expect(notSeed.body.errors['nodeIds.0']).toBe('not a seed server');
      expect((await admin.post('/api/admin/preheat', { resourceId: resource })).status).toBe(400);

      const job = await admin.post('/api/admin/preheat', { resourceId: resource, site: 'ber' });
      expect(job.status).toBe(201);
      expect(job.body.tasks.map((t: { nodeName: string; state: string }) => [t.nodeName, t.state])).toEqual([
        ['ber-1', 'queued'],
        ['ber-2', 'queued'],
      ]);
      const hb = await beat(a);
      expect(hb.body.preheat).toEqual([{ jobId: job.body.id, resourceId: resource }]);
      const manifest = await a.api.get(`/api/nodes/preheat/${job.body.id}/manifest`);
      expect(manifest.status).toBe(200);
      expect(manifest.body.resourceId).toBe(resource);
      expect((await client.api.get(`/api/nodes/preheat/${job.body.id}/manifest`)).status).toBe(404);

      await beat(a, [{ jobId: job.body.id, state: 'running', percent: 40 }]);
      let state = (await admin.get(`/api/admin/preheat/${job.body.id}`)).body.tasks;
      expect(state[0]).toEqual(expect.objectContaining({ nodeName: 'ber-1', state: 'running', percent: 40 }));
      await beat(a, [{ jobId: job.body.id, state: 'done', percent: 100 }]);
      expect((await beat(a)).body.preheat).toEqual([]);

      const cancelled = await admin.post(`/api/admin/preheat/${job.body.id}/cancel`);
      expect(cancelled.body.cancelled).toBe(true);
      state = cancelled.body.tasks;
      expect(state.map((t: { state: string }) => t.state)).toEqual(['done', 'cancelled']);
      const hbB = await beat(b);
      expect(hbB.body.preheat).toEqual([]);
      expect(hbB.body.preheatCancelled).toEqual([job.body.id]);
      expect((await admin.get(`/api/admin/preheat?resourceId=${resource}`)).body).toHaveLength(1);
    });

    it('keeps credentials signed before a key rotation valid, and signs new ones with the new key', async () => {
      const before = await enroll('client');
      const rotated = await admin.post('/api/admin/signing-keys/rotate');
      expect(rotated.status).toBe(200);
      const jwks = (await anon.get('/.well-known/jwks.json')).body;
      expect(jwks.keys.map((k: { kid: string }) => k.kid)).toContain(rotated.body.kid);
      expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
      expect(
        (await before.api.post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 0, downloadedBytes: 0 })).status,
      ).toBe(200);
      const after = await enroll('client');
      expect(JSON.parse(Buffer.from(after.credential.split('.')[0], 'base64url').toString()).kid).toBe(
        rotated.body.kid,
      );
    });
  });

  it('exposes Prometheus metrics with announces, nodes and resources', async () => {
    const res = await anon.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/shoal_tracker_announces_total\{event="started"\} [1-9]/);
    expect(res.text).toMatch(/shoal_cluster_nodes_online\{site="[^"]*",role="seed"\} [1-9]/);
    expect(res.text).toMatch(/shoal_cluster_resources [1-9]/);
    expect(res.text).toMatch(
      /shoal_http_request_duration_seconds_count\{method="GET",route="\/api\/resources\/:id",status="200"\}/,
    );
  });

  it('never writes a password or token into its log', async () => {
    const log = server.output();
    expect(log).not.toContain(ADMIN_PASSWORD);
    expect(log).not.toContain('member-password-1');
    expect(log).not.toContain(admin.token!);
    expect(log).toContain('POST /api/auth/login 200');
  });
});
