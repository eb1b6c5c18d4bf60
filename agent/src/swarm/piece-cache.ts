/** Memory for whole pieces read to serve blocks, per transfer. */
export const CACHE_BUDGET_BYTES = 16 * 1024 * 1024;
/** An entry unused this long is dropped, so idle transfers hold no memory. */
const IDLE_EVICT_MS = 5_000;

/** A block of a cached piece, valid until `release()`: its bytes stay put while a socket still holds them. */
export interface BlockLease {
  bytes: Buffer;
  release(): void;
}

interface Entry {
  data: Promise<Buffer>;
  usedAt: number;
  /** Leases not yet released. */
  users: number;
  evicted: boolean;
}

/**
 * Serving reads a whole piece from disk once and answers its blocks from memory: peers
 * ask for a piece's blocks one after another, and one large read costs far less than
 * many small ones. Bounded by a byte budget (LRU) and dropped when idle. A piece buffer
 * goes back to `recycle` (for the next read) only once it is evicted and every lease on
 * it is released, so a block queued in a socket is never overwritten.
 */
export class PieceCache {
  private readonly entries = new Map<number, Entry>();
  private readonly maxEntries: number;

  constructor(
    private readonly readPiece: (piece: number) => Promise<Buffer>,
    pieceSize: number,
    private readonly recycle: (buf: Buffer) => void = () => undefined,
  ) {
    this.maxEntries = Math.max(1, Math.floor(CACHE_BUDGET_BYTES / pieceSize));
  }

  /**
   * Takes a piece whose bytes are already known good (just verified and stored): peers ask
   * for a piece right after we announce it, and serving it from here spares reading it
   * back from disk and hashing it again.
   */
  adopt(piece: number, data: Buffer): boolean {
    if (this.entries.has(piece)) return false;
    const entry: Entry = { data: Promise.resolve(data), usedAt: Date.now(), users: 0, evicted: false };
    this.entries.set(piece, entry);
    while (this.entries.size > this.maxEntries) this.evict(this.entries.keys().next().value!);
    return true;
  }

  /** Starts reading a piece that will be asked for soon, so serving never waits on the disk and the hash. */
  prefetch(piece: number): void {
    if (this.entries.has(piece)) return;
    this.entry(piece).usedAt = Date.now();
  }

  async lease(piece: number, offset: number, length: number): Promise<BlockLease> {
    const entry = this.entry(piece);
    entry.usedAt = Date.now();
    entry.users++;
    let data: Buffer;
    try {
      data = await entry.data;
    } catch (err) {
      entry.users--;
      throw err;
    }
    let released = false;
    return {
      bytes: data.subarray(offset, offset + length),
      release: () => {
        if (released) return;
        released = true;
        entry.users--;
        this.recycleIfUnused(entry);
      },
    };
  }

  /** The piece's entry, read now if it is not cached; most recently used from here on. */
  private entry(piece: number): Entry {
    let e = this.entries.get(piece);
    if (e) {
      this.entries.delete(piece);
    } else {
      const entry: Entry = { data: this.readPiece(piece), usedAt: 0, users: 0, evicted: false };
      entry.data.catch(() => {
        if (this.entries.get(piece) === entry) this.entries.delete(piece);
        entry.evicted = true;
      });
      e = entry;
    }
    this.entries.set(piece, e);
    while (this.entries.size > this.maxEntries) this.evict(this.entries.keys().next().value!);
    return e;
  }

  evictIdle(now = Date.now()): void {
    for (const [piece, e] of this.entries) if (now - e.usedAt > IDLE_EVICT_MS) this.evict(piece);
  }

  clear(): void {
    for (const piece of [...this.entries.keys()]) this.evict(piece);
  }

  private evict(piece: number): void {
    const e = this.entries.get(piece);
    if (!e) return;
    this.entries.delete(piece);
    e.evicted = true;
    this.recycleIfUnused(e);
  }

  private recycleIfUnused(e: Entry): void {
    if (!e.evicted || e.users > 0) return;
    e.data.then(this.recycle, () => undefined);
  }
}
