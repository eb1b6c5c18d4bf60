import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { NODE_PROOF } from './node-proof.js';

/**
 * Tracker sessions: announces are most of what nodes send, and checking an Ed25519 proof
 * of possession (node-proof.ts) on each was most of what an announce cost the server. An
 * announce that carries a DPoP proof is answered with a session grant (`session` in the
 * answer): a secret key and its expiry. Until then the agent may authenticate its
 * announces — POST /api/tracker/announce only, nothing else — with an HMAC of that key
 * instead of a fresh proof:
 *
 *   Authorization: DPoP <node credential>        (unchanged)
 *   Shoal-Tracker-Session: <exp>.<iat>.<jti>.<mac>
 *
 *   mac = base64url(HMAC-SHA256(key, "POST /api/tracker/announce\n<exp>\n<iat>\n<jti>"))
 *
 * The key is HMAC(server secret, node id, credential hash, exp): the server keeps no
 * session state, and a key is good only with the credential (hence the node id) it was
 * granted for, until `exp`. Each request is still fresh (`iat` within
 * NODE_PROOF.maxAgeSeconds) and used once (`jti` in the same replay cache as proofs).
 * A revoked node is refused exactly as with a proof (the revocation list is checked on
 * every announce, whatever authenticated it).
 */
export const TRACKER_SESSION = {
  /** The request header (lower case, as Node.js reports it). */
  header: 'shoal-tracker-session',
  method: 'POST',
  path: '/api/tracker/announce',
  /** How long a grant lasts (seconds): what a stolen key is worth at most. */
  lifetimeSeconds: 300,
  /** The agent asks for a new grant (sends a proof) once less than this is left (seconds). */
  renewBeforeSeconds: 60,
  /** Key length in bytes (HMAC-SHA256 output). */
  keyBytes: 32,
  /** Longest header read. */
  maxLength: 256,
} as const;

/** In an announce answer to a request that carried a DPoP proof. */
export interface TrackerSessionGrant {
  /** base64url of TRACKER_SESSION.keyBytes bytes. Secret: kept in memory only. */
  key: string;
  /** Unix seconds; the grant is refused from then on. */
  expiresAt: number;
}

export class TrackerSessionError extends Error {}

function macOf(key: Buffer, exp: number, iat: number, jti: string): Buffer {
  return createHmac('sha256', key)
    .update(`${TRACKER_SESSION.method} ${TRACKER_SESSION.path}\n${exp}\n${iat}\n${jti}`)
    .digest();
}

/** The Shoal-Tracker-Session header of one announce (agent side). */
export function trackerSessionHeader(grant: TrackerSessionGrant, now = Math.floor(Date.now() / 1000)): string {
  const jti = randomBytes(NODE_PROOF.jtiBytes).toString('base64url');
  const mac = macOf(Buffer.from(grant.key, 'base64url'), grant.expiresAt, now, jti).toString('base64url');
  return `${grant.expiresAt}.${now}.${jti}.${mac}`;
}

const HEADER = /^(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{22,64})\.([A-Za-z0-9_-]{43})$/;

/**
 * Checks a Shoal-Tracker-Session header (server side): its form, that the grant has not
 * expired, that the request is fresh, and its MAC under the key `keyFor(exp)` derives.
 * Throws TrackerSessionError. Returns the jti, which the caller must refuse if seen before.
 */
export function verifyTrackerSessionHeader(
  value: string,
  keyFor: (exp: number) => Buffer,
  now = Math.floor(Date.now() / 1000),
): { jti: string; exp: number } {
  const m = value.length <= TRACKER_SESSION.maxLength ? HEADER.exec(value) : null;
  if (!m) throw new TrackerSessionError('malformed tracker session');
  const exp = Number(m[1]);
  const iat = Number(m[2]);
  const jti = m[3];
  if (exp <= now) throw new TrackerSessionError('tracker session expired (send a proof for a new one)');
  // No grant outlives its lifetime; a later exp was never issued (the MAC would fail anyway).
  if (exp > now + TRACKER_SESSION.lifetimeSeconds + NODE_PROOF.maxAgeSeconds) {
    throw new TrackerSessionError('tracker session from the future');
  }
  if (Math.abs(now - iat) > NODE_PROOF.maxAgeSeconds) {
    throw new TrackerSessionError('tracker session request too old or from the future (check the node clock)');
  }
  const mac = Buffer.from(m[4], 'base64url');
  const expected = macOf(keyFor(exp), exp, iat, jti);
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
    throw new TrackerSessionError('tracker session not valid for this credential');
  }
  return { jti, exp };
}
