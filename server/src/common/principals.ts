import type { ApiTokenScope, NodeRole, UserRole } from '@shoal/contract';

/** The user behind a request, as checked against the database for this request. */
export interface AuthenticatedUser {
  id: string;
  username: string;
  role: UserRole;
  /** When the session began (seconds), for user tokens; refreshes keep it. */
  authTime?: number;
  /** The client address of this request (through SHOAL_TRUSTED_PROXIES), for the audit log. */
  address?: string;
  /** Set when the request came with an API token instead of a login session. */
  apiToken?: { id: string; scopes: ApiTokenScope[] };
}

/** The node behind a request, from its verified credential. */
export interface AuthenticatedNode {
  id: string;
  name: string;
  role: NodeRole;
  site: string | null;
  /** When its credential was issued (seconds), to renew it at half-life. */
  issuedAt: number;
}
