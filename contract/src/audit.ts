/**
 * What the audit log records: every action code the server writes, with the words the
 * portal shows for it. The server's `AuditService.record` takes only these codes, and
 * the log's action filter accepts only these, so a new action is added here once.
 */
export const AUDIT_ACTIONS = {
  'auth.login': 'Signed in',
  'auth.login-failed': 'Failed to sign in',
  'auth.lockout': 'Locked out after failed sign-ins',
  'auth.sign-out-everywhere': 'Signed out everywhere',
  'user.password-change': 'Changed their password',
  'user.password-change-failed': 'Failed to change their password',
  'api-token.create': 'Created an API token',
  'api-token.revoke': 'Revoked an API token',
  'manifest.download': 'Downloaded a manifest',
  'resource.publish': 'Published a resource',
  'resource.upload': 'Uploaded a resource',
  'resource.update': 'Edited a resource',
  'resource.delete': 'Deleted a resource',
  'user.create': 'Created a user',
  'user.update': 'Changed a user',
  'user.password-reset': 'Reset a password',
  'enrollment-token.create': 'Created an enrollment token',
  'enrollment-token.revoke': 'Revoked an enrollment token',
  'enrollment-token.use': 'A machine enrolled with an enrollment token',
  'node.revoke': 'Revoked a node',
  'preheat.create': 'Started a preheat',
  'preheat.cancel': 'Cancelled a preheat',
  'download-request.create': 'Sent a resource to a machine',
  'download-request.cancel': 'Cancelled a download sent to a machine',
  'audit.export': 'Exported the audit log',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export function isAuditAction(value: string): value is AuditAction {
  return Object.prototype.hasOwnProperty.call(AUDIT_ACTIONS, value);
}

/** One entry of GET /api/admin/audit: ids, and the names they had when the log was read. */
export interface AuditEntry {
  id: string;
  action: string;
  userId: string | null;
  /** Who did it (or, for a failed sign-in, the account named). */
  username: string | null;
  resourceId: string | null;
  /** The resource's name; null once it is deleted (its delete entry names it in `detail`). */
  resourceName: string | null;
  nodeId: string | null;
  nodeName: string | null;
  /** The user the action was about (created, changed, password reset). */
  subjectUserId: string | null;
  subjectUsername: string | null;
  /** The client address the request came from, as the server saw it through SHOAL_TRUSTED_PROXIES. */
  address: string | null;
  /** What else: why a lockout began, what a token allows, a deleted resource's name. */
  detail: string | null;
  at: string;
}

/** Filters of GET /api/admin/audit and of its CSV export (all optional, all combined). */
export interface AuditFilter {
  /** Exact username of who did it. */
  actor?: string;
  action?: AuditAction;
  /** A resource, node or user: its id, or its exact name. */
  target?: string;
  /** ISO 8601 instants, `from` inclusive, `to` exclusive. */
  from?: string;
  to?: string;
}

/** Rows one CSV export carries at most: narrow the filters for more. */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;
