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
