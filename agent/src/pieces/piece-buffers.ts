/** A free list unused this long is dropped, so an idle transfer holds no spare buffers. */
const IDLE_TRIM_MS = 5_000;

/**
 * Reusable piece-sized buffers for one transfer. Every byte moved passes through a piece
 * buffer (assembled from blocks, or read from disk to serve); allocating a fresh one per
 * piece makes V8 run frequent full collections under external-memory pressure, a large
 * share of a seed's main thread. A buffer given back is handed out again;
 * the free list is bounded and trimmed when idle. Contents of a buffer taken are undefined:
 * callers fill every byte before reading any.
 */
export class PieceBuffers {
  private readonly free: Buffer[] = [];
  private lastUsed = Date.now();

  constructor(
    readonly pieceSize: number,
    private readonly maxFree: number,
  ) {}

  /** A buffer of `length` bytes that owns its whole ArrayBuffer, so the hash pool can move it without a copy. */
  take(length: number): Buffer {
    this.lastUsed = Date.now();
    if (length === this.pieceSize) {
      const reused = this.free.pop();
      if (reused) return reused;
    }
    return Buffer.allocUnsafeSlow(length);
  }

  /** Gives a buffer back for reuse. The caller must keep no view of it: its bytes will be overwritten. */
  give(buf: Buffer): void {
    const whole = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length;
    if (whole && buf.length === this.pieceSize && this.free.length < this.maxFree) this.free.push(buf);
  }

  /** Drops the free list of a transfer that has not needed a buffer for a while. */
  trimIdle(now = Date.now()): void {
    if (now - this.lastUsed > IDLE_TRIM_MS) this.free.length = 0;
  }
}
