/**
 * Who may call what, for every endpoint the server documents (read from its own OpenAPI
 * description, so a new endpoint is covered without editing this test), and every way a
 * token can be forged, stolen or misused.
 */
import Database from 'better-sqlite3';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { Api } from '../harness/api-client.js';
import { metadata, nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

type Principal = 'anonymous' | 'member' | 'admin' | 'node' | TokenPrincipal;
/** The admin's API tokens, one per scope. */
type TokenPrincipal = 'catalog:read token' | 'publish token' | 'admin token';
type Audience = 'public' | 'user' | 'admin' | 'node';

const PUBLIC = new Set([
  'GET /health',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'GET /.well-known/jwks.json',
  'POST /api/auth/login',
  // Single sign-on: the way in for someone not yet signed in (404 while it is not configured).
  'GET /api/auth/providers',
  'GET /api/auth/oidc/login',
  'GET /api/auth/oidc/callback',
  'POST /api/auth/oidc/session',
  'POST /api/auth/oidc/device',
  'POST /api/auth/oidc/device/token',
  'POST /api/nodes/enroll',
  'GET /api/downloads/agent',
  'GET /api/version',
  'GET /downloads/shoal',
  'GET /downloads/shoal.sha256',
]);
const NODE_ONLY = new Set(['POST /api/tracker/announce', 'POST /api/nodes/heartbeat']);
/** What an API token of each scope reaches besides the public routes; everything else is for login sessions. */
const CATALOG_READ = new Set([
  'GET /api/resources',
  'GET /api/resources/{id}',
  'GET /api/resources/{id}/pieces',
  'GET /api/resources/{id}/manifest',
  'GET /api/auth/me',
  'GET /api/me/tokens/current',
]);
const PUBLISH = new Set([
  ...CATALOG_READ,
  'POST /api/admin/resources',
  'PATCH /api/admin/resources/{id}',
  'DELETE /api/admin/resources/{id}',
  'POST /api/admin/uploads',
]);
const SESSION_ONLY = new Set([
  'POST /api/auth/refresh',
  'GET /api/me/tokens',
  'POST /api/me/tokens',
  'DELETE /api/me/tokens/{id}',
  'PATCH /api/me/password',
  'POST /api/me/sign-out-everywhere',
  // Whatever its scope, a token cannot make users, set passwords, mint enrollment tokens or
  // rotate keys: each would let it outlive its revocation or take over its owner.
  'POST /api/admin/users',
  'PATCH /api/admin/users/{id}',
  'POST /api/admin/users/{id}/password',
  'POST /api/admin/enrollment-tokens',
  'POST /api/admin/signing-keys/rotate',
  // Sending content to a person's machines is theirs to do, signed in.
  'GET /api/me/nodes',
  'POST /api/me/download-requests',
  'GET /api/me/download-requests',
  'GET /api/me/download-requests/{id}',
  'DELETE /api/me/download-requests/{id}',
]);

function audienceOf(route: string): Audience {
  if (PUBLIC.has(route)) return 'public';
  const path = route.split(' ')[1];
  if (NODE_ONLY.has(route) || path.startsWith('/api/tracker/') || path.startsWith('/api/nodes/')) return 'node';
  if (route.split(' ')[1].startsWith('/api/admin/')) return 'admin';
  return 'user';
}

/** 401 = who are you; 403 = not allowed. Anything else means the guard let the call through. */
function allowed(audience: Audience, who: Principal, route: string): boolean {
  if (audience === 'public') return true;
  if (who === 'catalog:read token') return CATALOG_READ.has(route);
  if (who === 'publish token') return PUBLISH.has(route);
  if (who === 'admin token') return (audience === 'admin' || audience === 'user') && !SESSION_ONLY.has(route);
  if (audience === 'node') return who === 'node';
  if (audience === 'admin') return who === 'admin';
  return who === 'member' || who === 'admin';
}

describe('access control', () => {
  let server: RunningServer;
  let anon: Api;
  const as: Record<Principal, Api> = {} as Record<Principal, Api>;
  let resourceId: string;
  let routes: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    anon = new Api(server.url);
    as.anonymous = anon;
    as.admin = await anon.login('admin', ADMIN_PASSWORD);
    await as.admin.post('/api/admin/users', { username: 'mel', password: 'mel-password-1', role: 'member' });
    as.member = await anon.login('mel', 'mel-password-1');
    const token = await as.admin.post('/api/admin/enrollment-tokens', { role: 'seed' });
    const key = nodeKey();
    const node = await anon.post('/api/nodes/enroll', {
      token: token.body.token,
      name: 'acl-node',
      role: 'seed',
      addresses: ['127.0.0.1:7777'],
      publicKey: key.publicJwk,
    });
    as.node = anon.asNode(node.body.credential, key.privateKey);
    for (const scope of ['catalog:read', 'publish', 'admin']) {
      const made = await as.admin.post('/api/me/tokens', { name: `acl ${scope}`, scopes: [scope], expiresInDays: 1 });
      as[`${scope} token` as TokenPrincipal] = anon.withToken(made.body.token);
    }
    resourceId = (await as.admin.post('/api/admin/resources', metadata('acl-resource'))).body.id;
    const doc = (await anon.get('/api/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('documents every endpoint in OpenAPI', () => {
    expect(routes.length).toBeGreaterThanOrEqual(25);
    expect(routes).toEqual(expect.arrayContaining([...PUBLIC, ...NODE_ONLY]));
  });

  it.each([
    'anonymous',
    'member',
    'admin',
    'node',
    'catalog:read token',
    'publish token',
    'admin token',
  ] as Principal[])('lets %s reach exactly what its role allows', async (who) => {
    const wrong: string[] = [];
    for (const route of routes) {
      const [method, template] = route.split(' ');
      // Destructive calls are aimed at ids that do not exist: the guard runs first either way.
      const path = template
        .replace('{id}', method === 'GET' ? resourceId : '00000000-0000-4000-8000-000000000000')
        .replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      if (route === 'POST /api/auth/login' || route === 'POST /api/nodes/enroll') continue; // public, tested elsewhere
      // It would end this very session (security/self-service.e2e.spec.ts tests it); the others still get refused.
      if (route === 'POST /api/me/sign-out-everywhere' && (who === 'admin' || who === 'member')) continue;
      const res = await as[who].request(method, path, ['POST', 'PATCH', 'PUT'].includes(method) ? {} : undefined);
      const audience = audienceOf(route);
      const passed = res.status !== 401 && res.status !== 403;
      if (passed !== allowed(audience, who, route)) wrong.push(`${route} (${audience}) -> ${res.status}`);
      if (res.status >= 500) wrong.push(`${route} -> ${res.status} (server error)`);
    }
    expect(wrong).toEqual([]);
  });

  describe('forged and misused tokens', () => {
    let db: Database.Database;
    let userSecret: Uint8Array;
    let signingKey: { kid: string; privateJwk: JWK; publicJwk: JWK };
    let memberId: string;

    beforeAll(async () => {
      db = new Database(join(server.dataDir, 'shoal.sqlite'), { readonly: true });
      userSecret = new TextEncoder().encode(
        (db.prepare("SELECT value FROM server_secrets WHERE name = 'user-token-hmac'").get() as { value: string })
          .value,
      );
      const row = db.prepare('SELECT kid, privateJwk, publicJwk FROM signing_keys WHERE active = 1').get() as {
        kid: string;
        privateJwk: string;
        publicJwk: string;
      };
      signingKey = { kid: row.kid, privateJwk: JSON.parse(row.privateJwk), publicJwk: JSON.parse(row.publicJwk) };
      memberId = (await as.member.get('/api/auth/me')).body.id;
    });

    afterAll(() => db?.close());

    const now = () => Math.floor(Date.now() / 1000);
    const userClaims = () => ({ typ: 'shoal-user', sub: memberId, username: 'mel', role: 'admin' });

    it('accepts a user token made with the real key and claims (control for the cases below)', async () => {
      const token = await new SignJWT({ ...userClaims(), role: 'member' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('shoal')
        .setIssuedAt()
        .setExpirationTime(now() + 60)
        .sign(userSecret);
      expect((await anon.withToken(token).get('/api/auth/me')).status).toBe(200);
    });

    it('takes the role from the database, not from the token', async () => {
      const token = await new SignJWT(userClaims())
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('shoal')
        .setIssuedAt()
        .setExpirationTime(now() + 60)
        .sign(userSecret);
      expect((await anon.withToken(token).get('/api/admin/users')).status).toBe(403);
    });

    it('refuses to refresh a session older than 12 hours', async () => {
      const old = await new SignJWT({ ...userClaims(), role: 'member', auth_time: now() - 13 * 3600 })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('shoal')
        .setIssuedAt()
        .setExpirationTime(now() + 60)
        .sign(userSecret);
      const res = await anon.withToken(old).post('/api/auth/refresh');
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('session_expired');
    });

    it('refuses an expired user token', async () => {
      const token = await new SignJWT(userClaims())
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('shoal')
        .setIssuedAt(now() - 3600)
        .setExpirationTime(now() - 60)
        .sign(userSecret);
      expect((await anon.withToken(token).get('/api/auth/me')).status).toBe(401);
    });

    it('refuses a user token that is not valid yet', async () => {
      const token = await new SignJWT(userClaims())
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('shoal')
        .setIssuedAt()
        .setNotBefore(now() + 600)
        .setExpirationTime(now() + 3600)
        .sign(userSecret);
      expect((await anon.withToken(token).get('/api/auth/me')).status).toBe(401);
    });

    it('refuses a user token from another issuer or of another type', async () => {
      const otherIssuer = await new SignJWT(userClaims())
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('evil')
        .setExpirationTime(now() + 60)
        .sign(userSecret);
      const ticketTyped = await new SignJWT({ ...userClaims(), typ: 'shoal-ticket' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('shoal')
        .setExpirationTime(now() + 60)
        .sign(userSecret);
      expect((await anon.withToken(otherIssuer).get('/api/auth/me')).status).toBe(401);
      expect((await anon.withToken(ticketTyped).get('/api/auth/me')).status).toBe(401);
    });

    it('refuses HS256 tokens keyed with the public signing key (algorithm confusion)', async () => {
      const publicBytes = Buffer.from(String(signingKey.publicJwk.x), 'base64url');
      const asNode = await new SignJWT({ typ: 'shoal-node', sub: 'x', name: 'x', role: 'seed', site: null })
        .setProtectedHeader({ alg: 'HS256', kid: signingKey.kid })
        .setIssuer('shoal')
        .setExpirationTime(now() + 60)
        .sign(publicBytes);
      const asUser = await new SignJWT(userClaims())
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('shoal')
        .setExpirationTime(now() + 60)
        .sign(publicBytes);
      expect(
        (
          await anon
            .withToken(asNode)
            .post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 0, downloadedBytes: 0 })
        ).status,
      ).toBe(401);
      expect((await anon.withToken(asUser).get('/api/auth/me')).status).toBe(401);
    });

    it('refuses node credentials signed by another key, expired, or of another type', async () => {
      // Every credential below is bound to this key and sent with a valid proof from it, so
      // only the credential itself can make the difference.
      const bound = nodeKey();
      const nodeClaims = {
        typ: 'shoal-node',
        sub: 'forged',
        name: 'forged',
        role: 'seed',
        site: null,
        cnf: { jwk: bound.publicJwk },
      };
      const { privateKey } = generateKeyPairSync('ed25519');
      const otherKey = await new SignJWT(nodeClaims)
        .setProtectedHeader({ alg: 'EdDSA', kid: signingKey.kid })
        .setIssuer('shoal')
        .setExpirationTime(now() + 60)
        .sign(privateKey);
      const realKey = await importJWK(signingKey.privateJwk, 'EdDSA');
      const expired = await new SignJWT(nodeClaims)
        .setProtectedHeader({ alg: 'EdDSA', kid: signingKey.kid })
        .setIssuer('shoal')
        .setIssuedAt(now() - 7200)
        .setExpirationTime(now() - 60)
        .sign(realKey);
      const ticket = await new SignJWT({ ...nodeClaims, typ: 'shoal-ticket' })
        .setProtectedHeader({ alg: 'EdDSA', kid: signingKey.kid })
        .setIssuer('shoal')
        .setExpirationTime(now() + 60)
        .sign(realKey);
      const valid = await new SignJWT(nodeClaims)
        .setProtectedHeader({ alg: 'EdDSA', kid: signingKey.kid })
        .setIssuer('shoal')
        .setExpirationTime(now() + 60)
        .sign(realKey);
      const body = { resourceId, event: 'started', left: 1, uploaded: 0, downloaded: 0 };
      expect((await anon.asNode(otherKey, bound.privateKey).post('/api/tracker/announce', body)).status).toBe(401);
      expect((await anon.asNode(expired, bound.privateKey).post('/api/tracker/announce', body)).status).toBe(401);
      expect((await anon.asNode(ticket, bound.privateKey).post('/api/tracker/announce', body)).status).toBe(401);
      // Control: the same claims signed properly pass, so the refusals above are about the signature, expiry and type.
      expect((await anon.asNode(valid, bound.privateKey).post('/api/tracker/announce', body)).status).toBe(200);
    });

    it('refuses a download ticket used as a login', async () => {
      const manifest = (await as.member.get(`/api/resources/${resourceId}/manifest`)).body;
      expect((await anon.withToken(manifest.ticket).get('/api/resources')).status).toBe(401);
      expect(
        (
          await anon
            .withToken(manifest.ticket)
            .post('/api/tracker/announce', { resourceId, event: 'started', left: 1, uploaded: 0, downloaded: 0 })
        ).status,
      ).toBe(401);
    });
  });
});
