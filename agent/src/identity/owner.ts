import type { NodeCredentialClaims } from '@shoal/contract';

/**
 * Who answers for a peer: the user who enrolled it with their own login (the credential's
 * `own` claim), or the machine itself when ops enrolled it with a token (seed servers,
 * managed fleets: each is its own owner, so a fleet sharing one service account is not capped).
 */
export function ownerOf(claims: Pick<NodeCredentialClaims, 'sub' | 'own'>): string {
  return claims.own ? `user:${claims.own}` : `node:${claims.sub}`;
}
