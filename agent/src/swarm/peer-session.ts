import { Bitfield } from '../pieces/bitfield.js';
import type { PeerConnection } from '../peer/peer-connection.js';
import type { BlockRef } from '../protocol/messages.js';

/** Blocks asked of one peer at least, and at most (below the provider's cap of 256 queued), whatever bandwidth x delay says. */
const MIN_PIPELINE = 16;
const MAX_PIPELINE = 192;
/**
 * Work kept queued at the provider beyond one round trip, so it never idles between
 * our requests (its disk reads and the TLS layer add latency a ping would not show).
 */
const PROVIDER_QUEUE_SECONDS = 0.5;
/** Failed-hash strikes after which a peer is banned from this transfer. */
export const BAN_STRIKES = 2;
/** Requests that time out in a row before a peer is dropped as too slow. */
export const MAX_CONSECUTIVE_TIMEOUTS = 5;

const refKey = (r: { piece: number; offset: number }) => `${r.piece}:${r.offset}`;

interface Outstanding {
  ref: BlockRef;
  sentAt: number;
}

/** What the swarm knows about one connected peer: its pieces, our requests to it, its requests to us, its rates. */
export class PeerSession {
  readonly has: Bitfield;
  readonly outstanding = new Map<string, Outstanding>();
  /** Blocks the peer asked us for, served in order. */
  readonly uploadQueue: BlockRef[] = [];
  serving = false;
  /** The peer rejected us as not allowed to download (we showed no ticket): ask it for nothing more. */
  refusesUs = false;
  strikes = 0;
  consecutiveTimeouts = 0;
  /** Data bytes received that we had not asked for (or no longer wanted). */
  unaskedBytes = 0;
  /** Requests rejected because the peer may not download. */
  refusedRequests = 0;
  downloaded = 0;
  uploaded = 0;
  /** When it last asked us for a block or sent us one: peers idle for long give up their slot to newcomers. */
  lastActive = Date.now();
  /** Receive rate (bytes/s), smoothed, and the lowest request-to-data delay seen: bandwidth x delay. */
  private rate = 0;
  private rateWindowStart = Date.now();
  private rateWindowBytes = 0;
  private minDelayMs = Infinity;

  constructor(
    readonly conn: PeerConnection,
    pieceCount: number,
  ) {
    this.has = new Bitfield(pieceCount);
  }

  get nodeId(): string {
    return this.conn.remote.nodeId;
  }

  /** Requests to keep in flight: enough to cover bandwidth x delay, plus slack. */
  pipelineDepth(blockSize: number): number {
    if (!Number.isFinite(this.minDelayMs)) return MIN_PIPELINE;
    const delaySeconds = this.minDelayMs / 1000 + PROVIDER_QUEUE_SECONDS;
    const bdp = (this.rate * delaySeconds) / blockSize;
    return Math.max(MIN_PIPELINE, Math.min(MAX_PIPELINE, Math.ceil(bdp)));
  }

  addOutstanding(ref: BlockRef): void {
    this.outstanding.set(refKey(ref), { ref, sentAt: Date.now() });
  }

  /** Takes an outstanding request off the list; null when we did not ask this peer for it (any more). */
  takeOutstanding(piece: number, offset: number, length: number): BlockRef | null {
    const key = refKey({ piece, offset });
    const o = this.outstanding.get(key);
    if (!o || o.ref.length !== length) return null;
    this.outstanding.delete(key);
    const now = Date.now();
    this.minDelayMs = Math.min(this.minDelayMs, now - o.sentAt);
    this.consecutiveTimeouts = 0;
    this.countReceived(length, now);
    return o.ref;
  }

  removeOutstanding(ref: BlockRef): void {
    this.outstanding.delete(refKey(ref));
  }

  /** Requests older than the timeout; removed from the list. */
  expired(timeoutMs: number): BlockRef[] {
    const now = Date.now();
    const out: BlockRef[] = [];
    for (const [key, o] of this.outstanding) {
      if (now - o.sentAt > timeoutMs) {
        this.outstanding.delete(key);
        out.push(o.ref);
      }
    }
    return out;
  }

  cancelUpload(ref: BlockRef): void {
    const i = this.uploadQueue.findIndex(
      (r) => r.piece === ref.piece && r.offset === ref.offset && r.length === ref.length,
    );
    if (i >= 0) this.uploadQueue.splice(i, 1);
  }

  private countReceived(bytes: number, now: number): void {
    this.downloaded += bytes;
    this.rateWindowBytes += bytes;
    const elapsed = now - this.rateWindowStart;
    if (elapsed >= 500) {
      const sample = (this.rateWindowBytes * 1000) / elapsed;
      this.rate = this.rate === 0 ? sample : 0.7 * this.rate + 0.3 * sample;
      this.rateWindowStart = now;
      this.rateWindowBytes = 0;
    }
  }
}
