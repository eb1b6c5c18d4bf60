/**
 * Download requests ("Send to my machine"): a signed-in user asks one of their own
 * enrolled machines to fetch a resource. The machine's `shoal serve` learns its requests
 * from the heartbeat answer, as a seed server learns its preheat tasks, downloads into the
 * folder chosen at enrollment (`--download-dir`) and reports progress in the next heartbeats.
 */

export const DOWNLOAD_REQUEST_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type DownloadRequestState = (typeof DOWNLOAD_REQUEST_STATES)[number];

/** Bounds on requests: what one user may have open, and what one heartbeat carries. */
export const DOWNLOAD_REQUEST_LIMITS = {
  /** Queued or running requests one user may have at a time. */
  maxOpenPerUser: 20,
  /** Requests (and cancellations) in one heartbeat answer; the rest come in later ones. */
  maxPerHeartbeat: 20,
  /** Longest error message kept from an agent's report. */
  maxErrorLength: 500,
} as const;

/** What the agent reports when it has no download folder configured. */
export const NO_DOWNLOAD_DIR_ERROR =
  'this machine accepts no downloads: run shoal enroll (or shoal config) with --download-dir DIR';

/** GET /api/me/download-requests items. */
export interface DownloadRequest {
  id: string;
  resourceId: string;
  resourceName: string;
  nodeId: string;
  nodeName: string;
  /** Username of whoever asked (an admin may send to someone else's machine). */
  requestedBy: string | null;
  state: DownloadRequestState;
  doneBytes: number;
  totalBytes: number;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

/** POST /api/me/download-requests */
export interface DownloadRequestCreate {
  resourceId: string;
  nodeId: string;
}

/** GET /api/me/nodes: the machines a user may send to (theirs, not revoked). */
export interface MyNode {
  id: string;
  name: string;
  role: 'seed' | 'client';
  online: boolean;
  lastHeartbeatAt: string | null;
}

/** In a heartbeat response: a request this node should run now. */
export interface DownloadAssignment {
  requestId: string;
  resourceId: string;
}

/** In a heartbeat request: how each assigned request is going. */
export interface DownloadReport {
  requestId: string;
  state: 'running' | 'done' | 'failed';
  doneBytes: number;
  totalBytes: number;
  error?: string;
}

/** GET (node credential): the manifest for one of this node's requests. */
export const DOWNLOAD_REQUEST_MANIFEST_PATH = (requestId: string) =>
  `/api/nodes/download-requests/${encodeURIComponent(requestId)}/manifest`;
