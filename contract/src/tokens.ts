import type { NodeRole } from './nodes.js';

/**
 * Every token the server issues carries `typ`, and every verifier checks it, so a token
 * of one kind can never be used as another (a user token as a node credential, a
 * download ticket as a login, ...).
 */
export const TOKEN_TYPES = { user: 'shoal-user', node: 'shoal-node', ticket: 'shoal-ticket' } as const;

/**
 * Node credentials and download tickets are signed with the server's Ed25519 keys and
 * verified by agents against the JWKS; nothing else is accepted.
 */
export const SIGNED_CREDENTIAL_ALG = 'EdDSA';
/** User access tokens are only ever verified by the server itself. */
export const USER_TOKEN_ALG = 'HS256';
export const TOKEN_ISSUER = 'shoal';
export const JWKS_PATH = '/.well-known/jwks.json';

export type UserRole = 'admin' | 'member';

/**
 * An API token: `shoal_pat_<id>_<secret>`, the id a UUID (how the server finds it), the
 * secret 32 random bytes in base64url. The prefix tells it apart from a JWT (which never
 * starts so) and lets secret scanners find one pasted where it should not be.
 */
export const API_TOKEN_PREFIX = 'shoal_pat_';
export const API_TOKEN_PATTERN =
  /^shoal_pat_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface UserAccessClaims {
  typ: typeof TOKEN_TYPES.user;
  sub: string;
  username: string;
  role: UserRole;
  /** When the user typed their password (seconds); refreshes keep it, so a session cannot be stretched forever. */
  auth_time: number;
  /**
   * The user's session generation when it was issued (absent = 0, tokens from before it
   * existed). Signing out everywhere or a password change moves the user's on, ending
   * every token of an earlier one.
   */
  gen?: number;
  iat: number;
  exp: number;
}

/** Signed by the server at enrollment: binds a node id and role to the node's public key. */
export interface NodeCredentialClaims {
  typ: typeof TOKEN_TYPES.node;
  iss: typeof TOKEN_ISSUER;
  /** The node id. */
  sub: string;
  name: string;
  role: NodeRole;
  site: string | null;
  /**
   * The user who enrolled this node with their own login (self-enrolled clients), absent for
   * nodes ops enrolled with a token: peers share their slots fairly between owners.
   */
  own?: string;
  /** Confirmation key (RFC 7800): the node's Ed25519 public key. */
  cnf: { jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string } };
  iat: number;
  exp: number;
}

/** Signed by the server with each manifest: lets one user fetch one resource. */
export interface DownloadTicketClaims {
  typ: typeof TOKEN_TYPES.ticket;
  iss: typeof TOKEN_ISSUER;
  /** The user id. */
  sub: string;
  /** The resource id. */
  res: string;
  /** The content id, so a ticket cannot be used for other content under a reused id. */
  cid: string;
  /** The node this ticket is bound to, when the manifest was requested for one. */
  node?: string;
  iat: number;
  exp: number;
}
