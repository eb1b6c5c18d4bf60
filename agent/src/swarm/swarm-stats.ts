import type { NodeRole } from '@shoal/contract';

/** Byte counters of one transfer, split by who sent or received them; the tests and heartbeats read these. */
export class SwarmStats {
  downloaded = 0;
  uploaded = 0;
  /** Verified bytes received, by the role of the peer they came from (its signed credential says). */
  downloadedFromSeeds = 0;
  downloadedFromPeers = 0;
  /** Bytes uploaded to downloaders that are not seed servers. */
  uploadedToPeers = 0;
  /** Bytes received that failed verification or arrived unasked. */
  wasted = 0;
  piecesFailed = 0;
  /** When the first piece was verified (epoch ms); null before. */
  firstPieceAt: number | null = null;
  /**
   * The longest time (ms) no requested data arrived while a connected peer held a piece we
   * lacked: how long the transfer sat idle when it did not have to.
   */
  longestStallMs = 0;
  /** Start of the current wait for data while some peer can give us something; null when none can. */
  private waitingSince: number | null = null;

  /** A connected peer holds a piece we lack: from now on, time without data counts as a stall. */
  peerCanGive(now: number): void {
    this.waitingSince ??= now;
  }

  /** No connected peer holds anything we lack: waiting is not a stall. */
  nobodyCanGive(): void {
    this.waitingSince = null;
  }

  /** Requested data arrived (any block): ends the current wait. */
  dataArrived(now: number): void {
    if (this.waitingSince !== null) this.longestStallMs = Math.max(this.longestStallMs, now - this.waitingSince);
    this.waitingSince = now;
  }

  pieceVerified(now: number): void {
    this.firstPieceAt ??= now;
  }

  received(role: NodeRole, bytes: number): void {
    this.downloaded += bytes;
    if (role === 'seed') this.downloadedFromSeeds += bytes;
    else this.downloadedFromPeers += bytes;
  }

  sent(role: NodeRole, bytes: number): void {
    this.uploaded += bytes;
    if (role !== 'seed') this.uploadedToPeers += bytes;
  }
}
