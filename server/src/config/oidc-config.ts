import { ConfigError } from './app-config.js';

/** Single sign-on with an OpenID Connect provider; null when SHOAL_OIDC_ISSUER is unset. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The ID token / userinfo claim that lists the user's IdP groups. */
  groupsClaim: string;
  /** Members of any of these IdP groups are Shoal admins; everyone else is a member. */
  adminGroups: string[];
  /** Shown on the portal's button: "Sign in with <name>". */
  displayName: string;
  /** Plain http is only for an IdP on this machine (tests, a local proxy); anything else needs https. */
  allowHttp: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function loadOidcConfig(env: NodeJS.ProcessEnv): OidcConfig | null {
  const issuer = env.SHOAL_OIDC_ISSUER?.trim();
  if (!issuer) return null;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError(`SHOAL_OIDC_ISSUER must be a URL, got "${issuer}"`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError('SHOAL_OIDC_ISSUER must be an https:// URL (http:// only for an issuer on loopback)');
  }
  const clientId = env.SHOAL_OIDC_CLIENT_ID?.trim();
  const clientSecret = env.SHOAL_OIDC_CLIENT_SECRET?.trim();
  if (!clientId) throw new ConfigError('SHOAL_OIDC_CLIENT_ID is required with SHOAL_OIDC_ISSUER');
  if (!clientSecret) throw new ConfigError('SHOAL_OIDC_CLIENT_SECRET is required with SHOAL_OIDC_ISSUER');
  const groupsClaim = env.SHOAL_OIDC_GROUPS_CLAIM?.trim() || 'groups';
  if (!/^[A-Za-z0-9_.:/-]{1,128}$/.test(groupsClaim)) {
    throw new ConfigError(`SHOAL_OIDC_GROUPS_CLAIM must be a claim name, got "${groupsClaim}"`);
  }
  const adminGroups = (env.SHOAL_OIDC_ADMIN_GROUPS ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  const displayName = (env.SHOAL_OIDC_NAME?.trim() || 'your identity provider').slice(0, 64);
  return { issuer, clientId, clientSecret, groupsClaim, adminGroups, displayName, allowHttp: url.protocol === 'http:' };
}
