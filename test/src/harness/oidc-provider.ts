/**
 * A real OpenID Connect provider (the certified `oidc-provider` package) standing in for
 * the company's IdP: accounts with groups, a confidential client for Shoal with the code
 * flow (PKCE) and the device flow, and its own login and consent pages, which the tests
 * click through in Chromium. It is reached through a proxy (id-token-tamperer.ts) that can
 * rewrite the ID tokens it hands out, for the tests of what the relying party must refuse.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { startTamperer, type Tampering } from './id-token-tamperer.js';
import { freePort } from './server.js';

export const OIDC_CLIENT_ID = 'shoal';
export const OIDC_CLIENT_SECRET = 'shoal-client-secret-for-tests-0123456789';

export interface IdpAccount {
  groups: string[];
}

export interface RunningIdp {
  issuer: string;
  /** Changes an account's groups as an IdP admin would; the next sign-in sees them. */
  setGroups(username: string, groups: string[]): void;
  /** From now on, rewrite the ID token in every token response this way (null: stop). */
  tamperIdTokens(mode: Tampering | null): void;
  /** ID tokens rewritten so far. */
  tamperedCount(): number;
  stop(): Promise<void>;
}

/**
 * Starts the IdP on a free loopback port. `redirectUri` is Shoal's callback; the server may
 * start after the IdP (or before: it discovers the IdP only at the first sign-in).
 */
export async function startIdp(opts: {
  port?: number;
  redirectUri: string;
  accounts: Record<string, IdpAccount>;
}): Promise<RunningIdp> {
  // Everyone reaches the IdP through a proxy at the issuer's address, which can rewrite ID tokens.
  const port = opts.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const innerPort = await freePort();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(8).toString('hex');
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const accounts = new Map(Object.entries(opts.accounts).map(([name, a]) => [name, { groups: [...a.groups] }]));

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email'], groups: ['groups'] },
    features: { devInteractions: { enabled: true }, deviceFlow: { enabled: true } },
    pkce: { required: () => true },
    // Set, not defaulted, so the IdP does not print a notice per kind at start.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, DeviceCode: 600 },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          preferred_username: id,
          name: id,
          email: `${id}@example.test`,
          groups: [...account.groups],
        }),
      };
    },
  });
  const server: Server = await new Promise((ok) => {
    const s = provider.listen(innerPort, '127.0.0.1', () => ok(s));
  });
  const tamperer = await startTamperer({
    port,
    upstreamPort: innerPort,
    tokenPath: '/token',
    signingKey: privateKey,
    signingKid: kid,
  });

  return {
    issuer,
    setGroups(username, groups) {
      const account = accounts.get(username);
      if (!account) throw new Error(`no IdP account ${username}`);
      account.groups = [...groups];
    },
    tamperIdTokens: (mode) => tamperer.set(mode),
    tamperedCount: () => tamperer.rewritten(),
    stop: async () => {
      await tamperer.stop();
      await new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      });
    },
  };
}
