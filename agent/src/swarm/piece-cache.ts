/** Memory for whole pieces read to serve blocks, per transfer. */
const CACHE_BUDGET_BYTES = 16 * 1024 * 1024;
/** An entry unused this long is dropped, so idle transfers hold no memory. */
const IDLE_EVICT_MS = 5_000;

interface Entry {
  data: Promise<Buffer>;
  usedAt: number;
}

/**
 * Serving reads a whole piece from disk once and answers its blocks from memory: peers
 * ask for a piece's blocks one after another, and one large read costs far less than
 * many small ones. Bounded by a byte budget (LRU) and dropped when idle.
 */
export class PieceCache {
  private readonly entries = new Map<number, Entry>();
  private readonly maxEntries: number;

  constructor(
    private readonly readPiece: (piece: number) => Promise<Buffer>,
    pieceSize: number,
  ) {
    this.maxEntries = Math.max(1, Math.floor(CACHE_BUDGET_BYTES / pieceSize));
  }

  async block(piece: number, offset: number, length: number): Promise<Buffer> {
    let e = this.entries.get(piece);
    if (e) {
      this.entries.delete(piece);
    } else {
      e = { data: this.readPiece(piece), usedAt: 0 };
      e.data.catch(() => this.entries.delete(piece));
    }
    e.usedAt = Date.now();
    this.entries.set(piece, e);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const data = await e.data;
    return data.subarray(offset, offset + length);
  }

  evictIdle(now = Date.now()): void {
    for (const [piece, e] of this.entries) if (now - e.usedAt > IDLE_EVICT_MS) this.entries.delete(piece);
  }

  clear(): void {
    this.entries.clear();
  }
}
