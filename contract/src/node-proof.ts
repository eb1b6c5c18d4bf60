import { createHash, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * Proof of possession for node requests (the shape of RFC 9449, DPoP). A node credential
 * leaks easily (it is shown to every peer and tracker), so it is never enough on its
 * own: every HTTP call a node makes also carries a fresh JWS, signed with the node's
 * Ed25519 key (the one bound into the credential's `cnf.jwk`), naming this one request.
 *
 *   Authorization: DPoP <node credential>
 *   DPoP: <proof>
 *
 * `htu` is the request path only: no scheme and host (behind a proxy the server sees
 * another host than the agent dialled), no query and fragment (as RFC 9449 says; the
 * query of a node call never widens what it may do). The path is compared as sent on the
 * wire (percent-encoded, not decoded).
 */
export const NODE_PROOF = {
  /** Authorization scheme of a node call; `Bearer` is refused for node credentials. */
  scheme: 'DPoP',
  /** The header carrying the proof (lower case, as Node.js reports it). */
  header: 'dpop',
  typ: 'shoal-node-proof+jwt',
  alg: 'EdDSA',
  /** A proof is accepted while |now - iat| is at most this (seconds): its age plus clock skew. */
  maxAgeSeconds: 60,
  /** Random bytes in `jti` (128 bit); the server refuses a jti it has seen within the window. */
  jtiBytes: 16,
  /** Longest proof read: a few hundred bytes in practice. */
  maxLength: 2048,
} as const;

/** What the server answers when a node credential comes as a bearer token (or without a proof). */
export const NODE_PROOF_REQUIRED_MESSAGE = 'node requests need a proof of possession (DPoP)';

export interface NodeProofClaims {
  /** The HTTP method, upper case. */
  htm: string;
  /** The request path (see NODE_PROOF). */
  htu: string;
  iat: number;
  jti: string;
  /** base64url SHA-256 of the credential sent with it, so a proof is good for one credential only. */
  ath: string;
}

export type NodeProofJwk = { kty: 'OKP'; crv: 'Ed25519'; x: string };

export class NodeProofError extends Error {}

/** base64url SHA-256 of a credential: the proof's `ath`. */
export function credentialHash(credential: string): string {
  return createHash('sha256').update(credential).digest('base64url');
}

/** The `htu` of a request to `url`: its path without query (a path given alone has its query cut). */
export function proofTarget(url: URL | string): string {
  if (url instanceof URL) return url.pathname;
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/** A fresh proof for one request, signed with the node's private key. */
export async function signNodeProof(o: {
  credential: string;
  key: KeyObject;
  method: string;
  url: URL | string;
}): Promise<string> {
  const claims: NodeProofClaims = {
    htm: o.method.toUpperCase(),
    htu: proofTarget(o.url),
    iat: Math.floor(Date.now() / 1000),
    jti: randomBytes(NODE_PROOF.jtiBytes).toString('base64url'),
    ath: credentialHash(o.credential),
  };
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: NODE_PROOF.alg, typ: NODE_PROOF.typ }).sign(o.key);
}

/** The two headers of a node call: the credential under the DPoP scheme and a fresh proof. */
export async function nodeProofHeaders(o: {
  credential: string;
  key: KeyObject;
  method: string;
  url: URL | string;
}): Promise<{ authorization: string; dpop: string }> {
  return { authorization: `${NODE_PROOF.scheme} ${o.credential}`, dpop: await signNodeProof(o) };
}

/** The credential in an Authorization header of the DPoP scheme, or '' (also for `Bearer`). */
export function dpopCredential(authorization: string | undefined): string {
  const prefix = `${NODE_PROOF.scheme} `;
  return authorization?.startsWith(prefix) ? authorization.slice(prefix.length).trim() : '';
}

/**
 * Checks a proof against the request it came with and the credential's confirmation key:
 * signature, typ, alg, htm, htu, iat within the window, ath. Throws NodeProofError.
 * Returns the claims; the caller still has to refuse a `jti` seen before (it alone knows
 * the replay cache), for `NODE_PROOF.maxAgeSeconds * 2` after `iat`.
 */
export async function verifyNodeProof(
  proof: string,
  o: { credential: string; key: NodeProofJwk | KeyObject; method: string; path: string; now?: number },
): Promise<NodeProofClaims> {
  try {
    return checkNodeProof(proof, o);
  } catch (err) {
    // Whatever else a crafted proof makes throw is a refusal too, never a server error.
    if (err instanceof NodeProofError) throw err;
    throw new NodeProofError('malformed proof');
  }
}

function checkNodeProof(
  proof: string,
  o: { credential: string; key: NodeProofJwk | KeyObject; method: string; path: string; now?: number },
): NodeProofClaims {
  if (proof.length > NODE_PROOF.maxLength) throw new NodeProofError('proof too long');
  const parts = proof.split('.');
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) throw new NodeProofError('malformed proof');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = jsonObjectOf(encodedHeader);
  if (!header) throw new NodeProofError('malformed proof');
  if (header.alg !== NODE_PROOF.alg) throw new NodeProofError(`proof algorithm ${shown(header.alg)} refused`);
  if (header.typ !== NODE_PROOF.typ) throw new NodeProofError('not a node proof');
  // Extensions the verifier must understand (RFC 7515 4.1.11): none are, so none are accepted.
  if ('crit' in header || 'b64' in header) throw new NodeProofError('proof header refused');
  const key = 'kty' in o.key ? createPublicKey({ key: o.key, format: 'jwk' }) : o.key;
  if (key.asymmetricKeyType !== 'ed25519') throw new NodeProofError('proof not signed by the key of this credential');
  // node:crypto verifies Ed25519 synchronously on this thread; WebCrypto (what jose uses)
  // sends each check through the thread pool, which costs more than the check itself.
  const signed = verify(
    null,
    Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii'),
    key,
    Buffer.from(encodedSignature, 'base64url'),
  );
  if (!signed) throw new NodeProofError('proof not signed by the key of this credential');
  const payload = jsonObjectOf(encodedPayload);
  if (!payload) throw new NodeProofError('malformed proof');
  const { htm, htu, iat, jti, ath } = payload;
  if (htm !== o.method.toUpperCase() || htu !== proofTarget(o.path)) {
    throw new NodeProofError(`proof made for another request (${shown(htm)} ${shown(htu)})`);
  }
  const now = o.now ?? Math.floor(Date.now() / 1000);
  if (typeof iat !== 'number' || !Number.isFinite(iat) || Math.abs(now - iat) > NODE_PROOF.maxAgeSeconds) {
    throw new NodeProofError('proof too old or from the future (check the node clock)');
  }
  if (typeof jti !== 'string' || !/^[A-Za-z0-9_-]{22,64}$/.test(jti)) throw new NodeProofError('proof jti refused');
  if (ath !== credentialHash(o.credential)) throw new NodeProofError('proof made for another credential');
  return { htm: htm as string, htu: htu as string, iat, jti, ath };
}

/** A claim as it may appear in a refusal: the caller wrote it, so it is shown as data, short. */
function shown(value: unknown): string {
  return (typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))).slice(0, 100);
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The JSON object a base64url segment holds, or null. */
function jsonObjectOf(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
