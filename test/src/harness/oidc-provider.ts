/**
 * A real OpenID Connect provider (the certified `oidc-provider` package) standing in for
 * the company's IdP: accounts with groups, a confidential client for Shoal with the code
 * flow (PKCE) and the device flow, and its own login and consent pages, which the tests
 * click through in Chromium. Its signing key is the test's, so a test can also sign an
 * ID token the IdP never issued (an expired one, one for another audience).
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { freePort } from './server.js';

export const OIDC_CLIENT_ID = 'shoal';
export const OIDC_CLIENT_SECRET = 'shoal-client-secret-for-tests-0123456789';

export interface IdpAccount {
  groups: string[];
}

export interface RunningIdp {
  issuer: string;
  /** The IdP's private signing key (RS256), to sign tokens it never issued. */
  signingKey: CryptoKey;
  signingKid: string;
  /** Changes an account's groups as an IdP admin would; the next sign-in sees them. */
  setGroups(username: string, groups: string[]): void;
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
  const port = opts.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
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
    const s = provider.listen(port, '127.0.0.1', () => ok(s));
  });

  return {
    issuer,
    signingKey: privateKey,
    signingKid: kid,
    setGroups(username, groups) {
      const account = accounts.get(username);
      if (!account) throw new Error(`no IdP account ${username}`);
      account.groups = [...groups];
    },
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
