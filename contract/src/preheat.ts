/**
 * Preheat: an admin asks for a resource to be placed on chosen seed servers (or every
 * seed server of a site) ahead of demand. Seed servers learn their tasks from the
 * heartbeat response and report progress in the next heartbeats.
 */
export const PREHEAT_TASK_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type PreheatTaskState = (typeof PREHEAT_TASK_STATES)[number];

export interface PreheatTaskStatus {
  nodeId: string;
  nodeName: string;
  site: string | null;
  state: PreheatTaskState;
  /** 0-100. */
  percent: number;
  error: string | null;
  updatedAt: string;
}

export interface PreheatJob {
  id: string;
  resourceId: string;
  resourceName: string;
  site: string | null;
  createdBy: string | null;
  createdAt: string;
  cancelled: boolean;
  tasks: PreheatTaskStatus[];
}

/** POST /api/admin/preheat */
export interface PreheatCreateRequest {
  resourceId: string;
  /** Seed servers to place it on... */
  nodeIds?: string[];
  /** ...or every seed server of this site. */
  site?: string;
}

/** In a heartbeat response: what this node should fetch now. */
export interface PreheatAssignment {
  jobId: string;
  resourceId: string;
}

/** In a heartbeat request: how each assigned task is going. */
export interface PreheatReport {
  jobId: string;
  state: 'running' | 'done' | 'failed';
  percent: number;
  error?: string;
}

/** GET /api/nodes/preheat/:jobId/manifest (node credential) answers a Manifest. */
export const PREHEAT_MANIFEST_PATH = (jobId: string) => `/api/nodes/preheat/${encodeURIComponent(jobId)}/manifest`;
