import type { NodeRole } from '@shoal/contract';

/** One node's place in one resource's swarm, as of its last announce. */
export interface SwarmMember {
  nodeId: string;
  name: string;
  role: NodeRole;
  site: string | null;
  addresses: string[];
  /** Bytes still missing; 0 = holds everything it wants. */
  left: number;
}

/**
 * Who is downloading or providing what, with expiry. In-process by default; Redis when
 * several server instances must share it. Every implementation forgets a member whose
 * last announce is older than its TTL.
 */
export interface SwarmStore {
  /**
   * Adds or refreshes a member. Resolves true when the downloader count may have changed
   * (a downloader appeared, or one finished), so counts are only recomputed then.
   */
  upsert(resourceId: string, member: SwarmMember, ttlSeconds: number): Promise<boolean>;
  remove(resourceId: string, nodeId: string): Promise<void>;
  /** Unexpired members, at most `limit`. */
  members(resourceId: string, limit: number): Promise<SwarmMember[]>;
  /** Unexpired members with bytes left. */
  downloaderCount(resourceId: string): Promise<number>;
  /** Forget a node everywhere (revocation). */
  removeNode(nodeId: string): Promise<void>;
  /** Downloaders across all swarms (dashboard). */
  activeDownloads(): Promise<number>;
  /**
   * Resources that lost a downloader to expiry since the previous call (their downloader
   * count went down without any request saying so).
   */
  drainExpiredDownloads(): Promise<string[]>;
}

export const SWARM_STORE = Symbol('SWARM_STORE');
