import { z } from 'zod';
import { LIMITS } from './limits.js';
import type { DownloadAssignment, DownloadReport } from './download-requests.js';
import type { PreheatAssignment, PreheatReport } from './preheat.js';

export const NODE_ROLES = ['seed', 'client'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** "host:port" or "[v6]:port"; a listen address other agents dial. */
export const ListenAddressSchema = z
  .string()
  .max(300)
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port')
  .refine((a) => {
    const port = Number(a.slice(a.lastIndexOf(':') + 1));
    return port > 0 && port < 65536;
  }, 'port must be 1-65535');

/** What an agent learns about another agent: where to dial it and what it is. */
export interface PeerInfo {
  nodeId: string;
  name: string;
  role: NodeRole;
  site: string | null;
  addresses: string[];
  /** True when the peer holds every piece. */
  complete: boolean;
}

/** A node's name: what the server accepts at enrollment (agents check it before asking). */
export const NODE_NAME_PATTERN = new RegExp(`^[A-Za-z0-9._-]{1,${LIMITS.maxNodeNameLength}}$`);
/** Why a name was refused, after the field's name: "name must be ...", "--name must be ...". */
export const NODE_NAME_RULE = `must be 1-${LIMITS.maxNodeNameLength} letters, digits, ".", "_" or "-"`;
export const NodeNameSchema = z.string().regex(NODE_NAME_PATTERN, NODE_NAME_RULE);

/** A site (a data centre, an office): the same characters as a node's name, shorter. */
export const SITE_PATTERN = new RegExp(`^[A-Za-z0-9._-]{1,${LIMITS.maxSiteLength}}$`);
export const SITE_RULE = `must be 1-${LIMITS.maxSiteLength} letters, digits, ".", "_" or "-"`;
export const SiteSchema = z.string().regex(SITE_PATTERN, SITE_RULE);

/** POST /api/nodes/enroll */
export interface EnrollRequest {
  token: string;
  name: string;
  role: NodeRole;
  site?: string;
  addresses: string[];
  /** The node's Ed25519 public key as a JWK ({kty:"OKP",crv:"Ed25519",x}). */
  publicKey: { kty: 'OKP'; crv: 'Ed25519'; x: string };
}

export interface EnrollResponse {
  nodeId: string;
  credential: string;
  credentialExpiresAt: string;
  jwksUrl: string;
  trackerUrl: string;
}

export interface HoldingReport {
  resourceId: string;
  complete: boolean;
  /** Pieces held, for partial holdings. */
  piecesHeld: number;
}

/** POST /api/nodes/heartbeat (node credential) */
export interface HeartbeatRequest {
  addresses?: string[];
  holdings: HoldingReport[];
  /** Bytes counters since the agent started (monotonic per agent run). */
  uploadedBytes: number;
  downloadedBytes: number;
  uploadedToPeersBytes?: number;
  /** Progress of the preheat tasks this node was given. */
  preheat?: PreheatReport[];
  /** Progress of the download requests this node was given (only `shoal serve` takes them). */
  downloads?: DownloadReport[];
  /**
   * The agent is stopping (Ctrl-C, a finished `get --seed-time`, a service stop): this last
   * report carries its final counters, and the node is offline from now on (it provides
   * nothing) rather than a missed heartbeat later. Its next heartbeat brings it back.
   */
  leaving?: boolean;
}

export interface HeartbeatResponse {
  /** A renewed credential once the current one has used half of its life. */
  credential?: string;
  credentialExpiresAt?: string;
  /** Node ids revoked since the server started, so peers can refuse them before their credentials expire. */
  revokedNodeIds: string[];
  intervalSeconds: number;
  /** Preheat tasks to run (queued or running); absent ones were cancelled or finished. */
  preheat?: PreheatAssignment[];
  /** Preheat jobs an admin cancelled: stop fetching them. */
  preheatCancelled?: string[];
  /** Download requests to run (queued or running), at most DOWNLOAD_REQUEST_LIMITS.maxPerHeartbeat. */
  downloads?: DownloadAssignment[];
  /** Download requests their user cancelled: stop fetching them. */
  downloadsCancelled?: string[];
}
