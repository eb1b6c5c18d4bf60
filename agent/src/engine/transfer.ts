/** Byte counters of one transfer since it started, split by who sent or received them. */
export interface TransferCounters {
  readonly downloaded: number;
  readonly uploaded: number;
  /** Verified bytes received, by the role of the peer they came from (its signed credential says). */
  readonly downloadedFromSeeds: number;
  readonly downloadedFromPeers: number;
  /** Bytes uploaded to downloaders that are not seed servers. */
  readonly uploadedToPeers: number;
  /** Bytes received that failed verification or arrived unasked. */
  readonly wasted: number;
  readonly piecesFailed: number;
  /** When the first piece was verified (epoch ms); null before (and for a holding complete from the start). */
  readonly firstPieceAt: number | null;
  /** The longest time (ms) no data arrived while a connected peer held a piece we lacked. */
  readonly longestStallMs: number;
}

export interface PeerSummary {
  nodeId: string;
  name: string;
  role: string;
  address: string;
  downloaded: number;
  uploaded: number;
}

/**
 * - `complete`: every wanted piece is verified and in place;
 * - `failed`: the content cannot be finished (its listener gets the error);
 * - `revoked`: the tracker refused this node's credential, so the transfer cannot go on.
 */
export type TransferEvent = 'complete' | 'failed' | 'revoked';

/**
 * One download or holding as the engine's users see it: progress to read and outcomes to
 * wait for. Peers, pieces and storage stay inside the engine; stopping a transfer goes
 * through `Engine.remove`.
 */
export interface Transfer {
  readonly resourceId: string;
  readonly name: string;
  readonly stats: TransferCounters;
  isComplete(): boolean;
  piecesHeld(): number;
  /** Bytes of the files this transfer wants (all of them for a holding). */
  bytesWanted(): number;
  bytesLeft(): number;
  peerCount(): number;
  /** Peers banned for sending data that failed verification. */
  bannedCount(): number;
  peerSummaries(): PeerSummary[];
  once(event: TransferEvent, listener: (err?: Error) => void): unknown;
}
