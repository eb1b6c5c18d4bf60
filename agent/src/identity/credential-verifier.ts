import {
  NODE_ROLES,
  SIGNED_CREDENTIAL_ALG,
  TOKEN_ISSUER,
  TOKEN_TYPES,
  type DownloadTicketClaims,
  type NodeCredentialClaims,
} from '@shoal/contract';
import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Revocations } from './revocations.js';

/** Why a peer was refused; the message is logged and sent to the peer in a refuse message. */
export class PeerRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeerRefusedError';
  }
}

/** Small allowance for clocks that disagree between machines. */
const CLOCK_TOLERANCE_SECONDS = 30;

function describe(err: unknown, what: string): PeerRefusedError {
  if (err instanceof PeerRefusedError) return err;
  if (err instanceof errors.JWTExpired) return new PeerRefusedError(`${what} expired`);
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new PeerRefusedError(`${what} signature is invalid (forged?)`);
  if (err instanceof errors.JWKSNoMatchingKey) return new PeerRefusedError(`${what} is signed by an unknown key`);
  if (err instanceof errors.JWTClaimValidationFailed)
    return new PeerRefusedError(`${what} claim "${err.claim}" is invalid: ${err.reason}`);
  return new PeerRefusedError(`${what} is invalid: ${(err as Error).message}`);
}

/** Verifies what a peer shows in the handshake against the server's keys and known revocations. */
export class CredentialVerifier {
  constructor(
    private readonly keys: JWTVerifyGetKey,
    private readonly revocations: Revocations,
  ) {}

  async nodeCredential(token: string): Promise<NodeCredentialClaims> {
    if (!token) throw new PeerRefusedError('no node credential');
    let claims: NodeCredentialClaims;
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: [SIGNED_CREDENTIAL_ALG],
        issuer: TOKEN_ISSUER,
        requiredClaims: ['sub', 'exp', 'typ', 'cnf', 'role'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      claims = payload as unknown as NodeCredentialClaims;
    } catch (err) {
      throw describe(err, 'node credential');
    }
    if (claims.typ !== TOKEN_TYPES.node)
      throw new PeerRefusedError(`credential has typ "${claims.typ}", not a node credential`);
    if (!NODE_ROLES.includes(claims.role)) throw new PeerRefusedError(`credential has unknown role "${claims.role}"`);
    const jwk = claims.cnf?.jwk;
    if (jwk?.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
      throw new PeerRefusedError('credential is not bound to an Ed25519 key (cnf.jwk)');
    }
    if (claims.own !== undefined && typeof claims.own !== 'string')
      throw new PeerRefusedError('credential has a malformed owner claim');
    if (this.revocations.has(claims.sub)) throw new PeerRefusedError(`node ${claims.sub} is revoked`);
    return claims;
  }

  /** A download ticket must name this resource and content, be unexpired, and if bound to a node, be bound to this one. */
  async ticket(
    token: string,
    expect: { resourceId: string; contentId: string; nodeId: string },
  ): Promise<DownloadTicketClaims> {
    let claims: DownloadTicketClaims;
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: [SIGNED_CREDENTIAL_ALG],
        issuer: TOKEN_ISSUER,
        requiredClaims: ['sub', 'exp', 'typ', 'res', 'cid'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      claims = payload as unknown as DownloadTicketClaims;
    } catch (err) {
      throw describe(err, 'download ticket');
    }
    if (claims.typ !== TOKEN_TYPES.ticket)
      throw new PeerRefusedError(`ticket has typ "${claims.typ}", not a download ticket`);
    if (claims.res !== expect.resourceId) {
      throw new PeerRefusedError(`download ticket is for resource ${claims.res}, not ${expect.resourceId}`);
    }
    if (claims.cid !== expect.contentId) throw new PeerRefusedError('download ticket is for other content');
    if (claims.node !== undefined && claims.node !== expect.nodeId) {
      throw new PeerRefusedError(`download ticket is bound to node ${claims.node}, not ${expect.nodeId}`);
    }
    return claims;
  }
}
