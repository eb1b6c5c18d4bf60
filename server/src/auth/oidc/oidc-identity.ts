import { USERNAME_PATTERN, type UserRole } from '@shoal/contract';
import type { OidcConfig } from '../../config/oidc-config.js';
import type { SsoIdentity } from '../../users/users.service.js';

/** More groups than this, or longer names, are refused rather than stored. */
const MAX_GROUPS = 256;
const MAX_GROUP_LENGTH = 256;

export class OidcClaimsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turns validated claims (ID token, then userinfo for what it lacks) into a Shoal identity:
 * the username from preferred_username (else the subject), the groups from the configured
 * claim, admin when any group is one of SHOAL_OIDC_ADMIN_GROUPS. Pure, so every rule is
 * tested without a provider.
 */
export function identityFromClaims(config: OidcConfig, claims: Record<string, unknown>): SsoIdentity {
  const sub = claims.sub;
  const iss = claims.iss;
  if (typeof sub !== 'string' || !sub || sub.length > 255) throw new OidcClaimsError('sso_bad_claims', 'no usable sub');
  if (typeof iss !== 'string' || !iss || iss.length > 255) throw new OidcClaimsError('sso_bad_claims', 'no usable iss');
  const wanted = typeof claims.preferred_username === 'string' ? claims.preferred_username : sub;
  const username = wanted.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) {
    throw new OidcClaimsError(
      'sso_bad_username',
      `the IdP's username "${username.slice(0, 64)}" is not a Shoal username`,
    );
  }
  const raw = claims[config.groupsClaim];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length > MAX_GROUPS || !list.every((g) => typeof g === 'string' && g.length <= MAX_GROUP_LENGTH)) {
    throw new OidcClaimsError('sso_bad_claims', `claim ${config.groupsClaim} is not a list of group names`);
  }
  const groups = [...new Set(list as string[])].sort();
  const role: UserRole = groups.some((g) => config.adminGroups.includes(g)) ? 'admin' : 'member';
  return { issuer: iss, subject: sub, username, role, groups };
}
