import type { TrackerSessionGrant } from './tracker-session.js';
import type { PeerInfo } from './nodes.js';

export const ANNOUNCE_EVENTS = ['started', 'completed', 'stopped', 'update'] as const;
export type AnnounceEvent = (typeof ANNOUNCE_EVENTS)[number];

/** POST /api/tracker/announce (node credential). */
export interface AnnounceRequest {
  resourceId: string;
  event: AnnounceEvent;
  /** Bytes still missing; 0 means the node holds everything it wants. */
  left: number;
  uploaded: number;
  downloaded: number;
  /** Where other agents dial this one; defaults to the addresses given at enrollment. */
  addresses?: string[];
  /** How many peers the agent wants at most. */
  numWant?: number;
}

export interface AnnounceResponse {
  intervalSeconds: number;
  /** Seed servers and other downloaders, never the caller; same-site peers first. */
  peers: PeerInfo[];
  /** Only in the answer to an announce that carried a DPoP proof: see tracker-session.ts. */
  session?: TrackerSessionGrant;
}
