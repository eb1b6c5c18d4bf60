import { Inject, Injectable } from '@nestjs/common';
import {
  dpopCredential,
  NODE_PROOF,
  NODE_PROOF_REQUIRED_MESSAGE,
  NodeProofError,
  proofTarget,
  TRACKER_SESSION,
  TrackerSessionError,
  verifyNodeProof,
  type NodeCredentialClaims,
} from '@shoal/contract';
import type { Redis } from 'ioredis';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { REDIS } from '../redis/redis.module.js';
import { CredentialError, CredentialsService } from './credentials.service.js';
import { TrackerSessionService } from './tracker-session.service.js';

/**
 * How long a jti is remembered (seconds): a proof is accepted while |now - iat| is within
 * the window, so from its earliest acceptance (iat - window) to its last (iat + window).
 */
const JTI_TTL_SECONDS = 2 * NODE_PROOF.maxAgeSeconds + 1;
/**
 * jtis remembered in memory (without Redis). Past this the oldest go first; they are the
 * nearest to leaving the window anyway, and it takes thousands of proofs a second, each
 * signed with an enrolled node's key, to reach it.
 */
const MEMORY_JTIS = 500_000;
/** Public keys of credentials seen, so a key is not parsed from its JWK on every request. */
const KEY_CACHE_SIZE = 50_000;

/** Why a node request is refused: its credential or its proof. The message is shown to the caller. */
export class NodeAuthError extends Error {}

export interface NodeRequest {
  method?: string;
  /** The request target as received (path and query). */
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * Authenticates a node request: the node credential (signature, issuer, expiry, type)
 * and its proof of possession (contract/src/node-proof.ts), signed with the key the
 * credential binds (`cnf.jwk`), for this method and path, fresh, for this credential, and
 * never seen before. A credential alone, however it leaked, is worth nothing.
 *
 * Replays are refused through a jti cache: in memory, or in Redis (SET NX EX) when the
 * server has one, so that instances behind one load balancer refuse each other's replays.
 */
@Injectable()
export class NodeProofService {
  private readonly seen = new Map<string, number>();
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    private readonly credentials: CredentialsService,
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly sessions: TrackerSessionService,
  ) {}

  /** Full check. Throws NodeAuthError. */
  async authenticate(req: NodeRequest): Promise<NodeCredentialClaims> {
    const session = sessionOf(req);
    const { credential, proof } =
      session === undefined ? this.parts(req) : { credential: this.credentialOf(req), proof: '' };
    let claims: NodeCredentialClaims;
    try {
      claims = await this.credentials.verifyNodeCredential(credential);
    } catch (err) {
      if (err instanceof CredentialError) throw new NodeAuthError(`node credential refused: ${err.message}`);
      throw err;
    }
    if (session === undefined) await this.check(req, credential, proof, claims);
    else await this.checkSession(session, credential, claims);
    return claims;
  }

  /**
   * The same check for a credential already verified and cached, else null without
   * looking further (no proof checked, no jti used): for the tracker's fast path, which
   * hands everything else to the guard. Throws NodeAuthError for a bad proof.
   */
  async authenticateCached(req: NodeRequest): Promise<NodeCredentialClaims | null> {
    const credential = dpopCredential(req.headers.authorization);
    const claims = credential ? this.credentials.cachedNodeCredential(credential) : undefined;
    if (!claims) return null;
    const session = sessionOf(req);
    if (session !== undefined) await this.checkSession(session, credential, claims);
    else await this.check(req, credential, this.parts(req).proof, claims);
    return claims;
  }

  private credentialOf(req: NodeRequest): string {
    const credential = dpopCredential(req.headers.authorization);
    if (!credential) throw new NodeAuthError(NODE_PROOF_REQUIRED_MESSAGE);
    return credential;
  }

  /** An announce authenticated by a tracker session (contract/src/tracker-session.ts) instead of a proof. */
  private async checkSession(header: string, credential: string, claims: NodeCredentialClaims) {
    let jti: string;
    try {
      jti = this.sessions.verify(header, claims.sub, credential);
    } catch (err) {
      if (err instanceof TrackerSessionError) throw new NodeAuthError(`tracker session refused: ${err.message}`);
      throw err;
    }
    if (!(await this.firstUse(`tracker-session:${claims.sub}:${jti}`))) {
      throw new NodeAuthError('tracker session refused: already used (a replayed request)');
    }
  }

  private parts(req: NodeRequest): { credential: string; proof: string } {
    const credential = dpopCredential(req.headers.authorization);
    const proof = req.headers[NODE_PROOF.header];
    if (!credential || typeof proof !== 'string' || !proof) throw new NodeAuthError(NODE_PROOF_REQUIRED_MESSAGE);
    return { credential, proof };
  }

  private async check(req: NodeRequest, credential: string, proof: string, claims: NodeCredentialClaims) {
    let jti: string;
    try {
      ({ jti } = await verifyNodeProof(proof, {
        credential,
        key: this.keyOf(claims),
        method: req.method ?? 'GET',
        path: req.url,
      }));
    } catch (err) {
      if (err instanceof NodeProofError) throw new NodeAuthError(`node proof refused: ${err.message}`);
      throw err;
    }
    if (!(await this.firstUse(`node-proof:${claims.sub}:${jti}`))) {
      throw new NodeAuthError('node proof refused: already used (a replayed request)');
    }
  }

  private keyOf(claims: NodeCredentialClaims): KeyObject {
    const x = claims.cnf?.jwk?.x;
    if (typeof x !== 'string') throw new NodeAuthError('node credential refused: it names no key');
    let key = this.keys.get(x);
    if (!key) {
      try {
        key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
      } catch {
        throw new NodeAuthError('node credential refused: its key is not an Ed25519 key');
      }
      if (this.keys.size >= KEY_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(x, key);
    }
    return key;
  }

  /** True the first time a jti is shown within its TTL, on any instance sharing the Redis. */
  private async firstUse(key: string): Promise<boolean> {
    if (this.redis) return (await this.redis.set(key, '1', 'EX', JTI_TTL_SECONDS, 'NX')) === 'OK';
    const now = Date.now();
    // Every entry has the same TTL, so insertion order is expiry order: drop from the front.
    for (const [k, expires] of this.seen) {
      if (expires > now && this.seen.size < MEMORY_JTIS) break;
      this.seen.delete(k);
    }
    const known = this.seen.get(key);
    if (known !== undefined && known > now) return false;
    this.seen.set(key, now + JTI_TTL_SECONDS * 1000);
    return true;
  }
}

/**
 * The Shoal-Tracker-Session header of a request that carries no proof (a proof, when
 * sent, is what is checked), or undefined. Throws NodeAuthError for a session sent
 * anywhere but an announce: it authenticates nothing else.
 */
function sessionOf(req: NodeRequest): string | undefined {
  const session = req.headers[TRACKER_SESSION.header];
  if (session === undefined || req.headers[NODE_PROOF.header] !== undefined) return undefined;
  if (
    typeof session !== 'string' ||
    req.method !== TRACKER_SESSION.method ||
    proofTarget(req.url) !== TRACKER_SESSION.path
  ) {
    throw new NodeAuthError(`a tracker session authenticates ${TRACKER_SESSION.method} ${TRACKER_SESSION.path} only`);
  }
  return session;
}

const PROVEN = Symbol('shoal:proven-node');

/**
 * Marks a request whose node the tracker's fast path already authenticated: when the
 * fast path hands it on (a body or resource it does not answer), the guard takes this
 * instead of checking again, which would find the proof's jti used and call it a replay.
 */
export function markProvenNode(req: object, claims: NodeCredentialClaims): void {
  (req as { [PROVEN]?: NodeCredentialClaims })[PROVEN] = claims;
}

export function provenNode(req: object): NodeCredentialClaims | undefined {
  return (req as { [PROVEN]?: NodeCredentialClaims })[PROVEN];
}
