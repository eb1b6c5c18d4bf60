/**
 * Response shapes of the server's public HTTP API, shared by the agent and the portal.
 * Types and constant lists only, importing nothing at run time: the portal reads it through
 * `@shoal/contract/api` without bundling the Node code of the rest of the contract.
 */
import type { NodeRole, PeerInfo } from './nodes.js';
import type { UserRole } from './tokens.js';

export interface Page<T> {
  items: T[];
  /** Exact, or a lower bound when `totalCapped`. */
  total: number;
  /**
   * `total` is a lower bound ("at least"), never less than the rows up to this page: a
   * search stops counting at 10,000 matches, and one whose every word is broad counts only
   * the first names of its rarest word, far fewer than may match. More pages may
   * follow; a page shorter than `size` is the last.
   */
  totalCapped?: boolean;
  page: number;
  size: number;
}

/** Every error body: a stable machine code, a human message, and the fields at fault. */
export interface ApiErrorBody {
  statusCode: number;
  code: string;
  message: string;
  errors?: Record<string, string>;
}

export interface LoginResponse {
  accessToken: string;
  expiresAt: string;
  user: UserSummary;
}

/** GET /api/auth/providers (public): the sign-in methods besides username and password. */
export interface AuthProviders {
  /** Single sign-on with OpenID Connect, when configured: start it at `loginPath`. */
  oidc: { name: string; loginPath: string } | null;
}

/**
 * POST /api/auth/oidc/device: the device authorization grant (RFC 8628), proxied by the
 * server so the client secret stays there. The user opens `verificationUri` and types
 * `userCode`; the CLI polls POST /api/auth/oidc/device/token with `handle`.
 */
export interface OidcDeviceStart {
  /** Opaque to the CLI: the IdP's device code, sealed by the server. */
  handle: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  expiresIn: number;
  /** Seconds to wait between polls. */
  interval: number;
}

/** POST /api/auth/oidc/device/token: still waiting for the user, or the Shoal session. */
export type OidcDevicePoll = { status: 'pending' } | ({ status: 'done' } & LoginResponse);

export interface UserSummary {
  id: string;
  username: string;
  role: UserRole;
  disabled: boolean;
  /** Signed in through the OpenID Connect provider (no local password). */
  sso?: boolean;
  /** The user's IdP groups from the last single sign-on (empty for local accounts). */
  groups?: string[];
  createdAt: string;
  updatedAt: string;
}

/** What `GET /api/resources?sort=` accepts, each optionally prefixed with "-" for descending. */
export const RESOURCE_SORT_FIELDS = ['name', 'size', 'seeds', 'downloaders', 'created', 'updated'] as const;
export type ResourceSortField = (typeof RESOURCE_SORT_FIELDS)[number];

/** What `GET /api/admin/nodes?sort=` accepts, each optionally prefixed with "-" for descending. */
export const NODE_SORT_FIELDS = ['name', 'role', 'site', 'lastHeartbeat', 'created', 'uploaded'] as const;
export type NodeSortField = (typeof NODE_SORT_FIELDS)[number];

export interface ResourceSummary {
  id: string;
  contentId: string;
  name: string;
  description: string;
  tags: string[];
  size: number;
  fileCount: number;
  /** Seed servers online that hold the resource completely. */
  seedCount: number;
  /** Nodes currently downloading it (announced, not complete, not expired). */
  downloaderCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface ProviderInfo extends PeerInfo {
  online: boolean;
  lastHeartbeatAt: string | null;
}

export interface ResourceDetail extends ResourceSummary {
  pieceSize: number;
  pieceCount: number;
  files: { path: string; size: number }[];
  publishedBy: string | null;
  /** Seed servers holding it completely (online or not). */
  providers: ProviderInfo[];
  /** Downloaders that have it all and are sharing it on (`get` seeding, a finished preheat is a seed). */
  sharing: PeerInfo[];
  /** Downloaders still fetching it. */
  downloaders: PeerInfo[];
}

export interface NodeSummary {
  id: string;
  name: string;
  role: NodeRole;
  site: string | null;
  addresses: string[];
  online: boolean;
  revoked: boolean;
  /** The seed server built into the server process (switched off by configuration, never revoked). */
  builtin: boolean;
  lastHeartbeatAt: string | null;
  resourcesHeld: number;
  uploadedBytes: number;
  downloadedBytes: number;
  createdAt: string;
}

/** GET /api/admin/nodes/:id: a node's page. */
export interface NodeDetail extends NodeSummary {
  /** The agent release its last heartbeat came from (null for the built-in seed and before the first). */
  agentVersion: string | null;
  /** When it last said goodbye (stopped), if it has not heartbeated since. */
  leftAt: string | null;
  /** What its last heartbeat reported holding, with the resources' names. */
  holdings: { resourceId: string; name: string; complete: boolean; piecesHeld: number; pieceCount: number }[];
}

/** Where an enrollment token stands: only `active` enrolls a machine. */
export const ENROLLMENT_TOKEN_STATES = ['active', 'used-up', 'expired', 'revoked'] as const;
export type EnrollmentTokenState = (typeof ENROLLMENT_TOKEN_STATES)[number];

/**
 * An enrollment token as the admin pages list it: never the token itself (the server keeps
 * only its hash). `maxUses` 1 is a one-time token; more lets one token enroll a fleet, each
 * machine with its own key and node.
 */
export interface EnrollmentTokenSummary {
  id: string;
  role: NodeRole;
  site: string | null;
  maxUses: number;
  uses: number;
  state: EnrollmentTokenState;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** The admin who created it (null once that user is gone). */
  createdBy: string | null;
  createdAt: string;
}

/** The answer to creating a token: the only time the token and its command are shown. */
export interface EnrollmentTokenResponse extends EnrollmentTokenSummary {
  token: string;
  /** The command ops paste on a seed server. */
  enrollCommand: string;
}

/** GET /api/admin/stats: the dashboard. */
export interface DashboardStats {
  resources: number;
  totalBytes: number;
  onlineSeeds: number;
  onlineNodes: number;
  activeDownloads: number;
  /** Bytes served per time bucket, by seed servers versus by other downloaders (the swarm). */
  traffic: { at: string; seedBytes: number; peerBytes: number }[];
}

/** Length of a password an admin sets for a user (the server refuses others; the portal says so first). */
export const PASSWORD_LENGTH = { min: 8, max: 256 } as const;
/** PATCH /api/me/password: a local user's own password change (ends their other sessions). */
export interface PasswordChangeRequest {
  currentPassword: string;
  /** PASSWORD_LENGTH, and not the current one. */
  newPassword: string;
}

/** A username: what the server accepts, and what the portal's form checks before sending. */
export const USERNAME_PATTERN = /^[a-zA-Z0-9._-]{2,64}$/;
export const USERNAME_RULE = 'be 2-64 letters, digits, ".", "_" or "-"';

/**
 * What an API token may do. Each scope includes the ones after it in this list (`admin`
 * can publish and read, `publish` can read), and a token never does more than its owner's
 * role allows at the moment of the request.
 */
export const API_TOKEN_SCOPES = ['admin', 'publish', 'catalog:read'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** The scopes a user of each role may put on a token: publishing and admin routes need the admin role. */
export const API_TOKEN_SCOPES_BY_ROLE: Record<UserRole, readonly ApiTokenScope[]> = {
  admin: API_TOKEN_SCOPES,
  member: ['catalog:read'],
};

/** Caps on API tokens: how many one user may hold (expired ones count until deleted), and for how long. */
export const API_TOKEN_LIMITS = { maxPerUser: 50, maxExpiresInDays: 365, maxNameLength: 64 } as const;

/** POST /api/me/tokens. */
export interface ApiTokenCreateRequest {
  /** What it is for, e.g. "nightly build"; shown in the list. */
  name: string;
  scopes: ApiTokenScope[];
  /** 1 to API_TOKEN_LIMITS.maxExpiresInDays. */
  expiresInDays: number;
}

/** An API token as GET /api/me/tokens lists it: never the token itself (the server keeps only its hash). */
export interface ApiTokenSummary {
  id: string;
  name: string;
  scopes: ApiTokenScope[];
  createdAt: string;
  expiresAt: string;
  expired: boolean;
  /** To the minute: the server writes it at most once a minute per token. */
  lastUsedAt: string | null;
}

/** The answer to creating a token: the only time its secret is shown. */
export interface ApiTokenCreated extends ApiTokenSummary {
  token: string;
}

/** Suffix of a manifest file's name (`<name>.shoal.json`), as the server names downloads. */
export const MANIFEST_FILE_SUFFIX = '.shoal.json';

/** GET /api/downloads/agent: the agent executable this server hands out, if it was released with one. */
export interface AgentDownload {
  available: boolean;
  /** Where to fetch it (`GET`, no login needed), and its SHA-256 in `sha256sum -c` format. */
  url: string;
  checksumUrl: string;
  sha256: string | null;
  sizeBytes: number | null;
}
