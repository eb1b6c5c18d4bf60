import type { BlockRef } from '../protocol/messages.js';
import type { PiecePicker } from './piece-picker.js';

/** In end-game a block may be asked of at most this many peers at once. */
export const MAX_DUPLICATE_REQUESTS = 2;

interface BlockState {
  offset: number;
  length: number;
  received: boolean;
  askedOf: Set<string>;
  /** The peer whose bytes we kept for this block. */
  sender: string | null;
}

/** A piece being fetched: its blocks and the bytes received so far. */
export class PieceInProgress {
  readonly blocks: BlockState[] = [];
  readonly data: Buffer;
  private receivedCount = 0;
  /** Bytes each peer sent of this piece: credited if it verifies. */
  readonly contributors = new Map<string, number>();

  constructor(
    readonly piece: number,
    readonly length: number,
    blockSize: number,
    /** When set, only this one peer may send blocks of the piece (a retry after a failed hash). */
    public owner: string | null = null,
    readonly singleSource = false,
    /** Where the piece's bytes go: every block is written before the piece is read. */
    allocate: (length: number) => Buffer = (n) => Buffer.alloc(n),
  ) {
    this.data = allocate(length);
    for (let offset = 0; offset < length; offset += blockSize) {
      const len = Math.min(blockSize, length - offset);
      this.blocks.push({ offset, length: len, received: false, askedOf: new Set(), sender: null });
    }
  }

  /** Which peer sent each block (by offset): lets a failed piece be compared, block by block, with the good one. */
  senders(): Map<number, string> {
    return new Map(this.blocks.map((b) => [b.offset, b.sender ?? '']));
  }

  /** Whether `peer` may be asked for blocks of this piece. */
  allows(peer: string): boolean {
    return !this.singleSource || this.owner === null || this.owner === peer;
  }

  isComplete(): boolean {
    return this.receivedCount === this.blocks.length;
  }

  unreceived(): number {
    return this.blocks.length - this.receivedCount;
  }

  /** Records a block; false when it is not one we asked for or already have. */
  receive(offset: number, block: Buffer, from: string): boolean {
    const b = this.blocks.find((x) => x.offset === offset);
    if (!b || b.received || b.length !== block.length) return false;
    block.copy(this.data, offset);
    b.received = true;
    b.sender = from;
    this.receivedCount++;
    this.contributors.set(from, (this.contributors.get(from) ?? 0) + block.length);
    return true;
  }
}

/** What happened when a block arrived: the peers to send a cancel to, and whether the piece is now whole. */
export interface ReceiveOutcome {
  accepted: boolean;
  cancelAt: string[];
  completed: PieceInProgress | null;
}

/**
 * Decides which block each peer is asked for next. Pure bookkeeping: the swarm sends
 * the requests and reports what arrived, timed out or was rejected. Pieces already
 * started are finished first (fewest blocks left first), then the picker chooses a new
 * one; once every remaining block has been asked of someone, end-game lets an idle peer
 * ask for a block a second time, never more than MAX_DUPLICATE_REQUESTS at once.
 */
export class RequestPlanner {
  readonly inProgress = new Map<number, PieceInProgress>();
  /** Pieces that failed with blocks from several peers: fetched again from one peer only, so blame is certain. */
  private readonly singleSource = new Set<number>();
  /** Pieces received whole and being hashed: neither in progress nor held, but not to be fetched again. */
  private readonly verifying = new Set<number>();

  constructor(
    private readonly picker: PiecePicker,
    private readonly pieceLength: (piece: number) => number,
    private readonly blockSize: number,
    private readonly maxPiecesInProgress: number,
    /** Piece buffers (the swarm reuses them); contents need not be zeroed. */
    private readonly allocate: (length: number) => Buffer = (n) => Buffer.alloc(n),
  ) {}

  next(peer: string, peerHasPiece: (piece: number) => boolean): BlockRef | null {
    // One pass, no sorting: this runs for every request sent, and in a swarm for every
    // have received. The started piece with the fewest blocks left that has a block nobody was asked for.
    let best: { p: PieceInProgress; b: BlockState } | null = null;
    let helpable = 0;
    for (const p of this.inProgress.values()) {
      if (!p.allows(peer) || !peerHasPiece(p.piece)) continue;
      helpable++;
      if (best && p.unreceived() >= best.p.unreceived()) continue;
      const b = p.blocks.find((x) => !x.received && x.askedOf.size === 0);
      if (b) best = { p, b };
    }
    if (best) return this.ask(best.p, best.b, peer);
    // A peer that can help with none of the started pieces (their holders left) may start
    // one beyond the soft cap, so orphaned pieces never stall the download; twice the cap bounds memory.
    const orphaned = helpable === 0 && this.inProgress.size > 0;
    const cap = orphaned ? 2 * this.maxPiecesInProgress : this.maxPiecesInProgress;
    // Pieces being hashed and written hold their buffers too: when the disk falls behind the
    // network, fetching waits instead of piling whole pieces up in memory.
    if (this.inProgress.size + this.verifying.size < cap) {
      const piece = this.picker.pick(peerHasPiece, (x) => this.inProgress.has(x) || this.verifying.has(x));
      if (piece !== null) {
        const single = this.singleSource.has(piece);
        const p = new PieceInProgress(
          piece,
          this.pieceLength(piece),
          this.blockSize,
          single ? peer : null,
          single,
          this.allocate,
        );
        this.inProgress.set(piece, p);
        return this.ask(p, p.blocks[0], peer);
      }
    }
    if (!this.inEndGame()) return null;
    const started = [...this.inProgress.values()]
      .filter((p) => peerHasPiece(p.piece) && p.allows(peer))
      .sort((a, b) => a.unreceived() - b.unreceived());
    for (const p of started) {
      if (p.singleSource) continue;
      const b = p.blocks.find((x) => !x.received && !x.askedOf.has(peer) && x.askedOf.size < MAX_DUPLICATE_REQUESTS);
      if (b) return this.ask(p, b, peer);
    }
    return null;
  }

  /** End-game: every wanted piece not held is already being fetched. */
  inEndGame(): boolean {
    // Cheap test first: this runs on every refill once the in-progress cap is reached.
    if (this.picker.remainingCount() > this.inProgress.size + this.verifying.size) return false;
    return this.picker.remaining().every((p) => this.inProgress.has(p) || this.verifying.has(p));
  }

  receive(peer: string, piece: number, offset: number, block: Buffer): ReceiveOutcome {
    const p = this.inProgress.get(piece);
    const state = p?.blocks.find((b) => b.offset === offset);
    if (!p || !state || !state.askedOf.has(peer) || !p.receive(offset, block, peer)) {
      return { accepted: false, cancelAt: [], completed: null };
    }
    const cancelAt = [...state.askedOf].filter((x) => x !== peer);
    state.askedOf.clear();
    if (!p.isComplete()) return { accepted: true, cancelAt, completed: null };
    this.inProgress.delete(piece);
    this.verifying.add(piece);
    return { accepted: true, cancelAt, completed: p };
  }

  /** A request is no longer outstanding (timed out, rejected, cancelled, or the peer left). */
  release(peer: string, ref: BlockRef): void {
    this.inProgress
      .get(ref.piece)
      ?.blocks.find((b) => b.offset === ref.offset)
      ?.askedOf.delete(peer);
  }

  /** Forgets every outstanding request of a peer that went away. */
  releasePeer(peer: string): void {
    for (const p of [...this.inProgress.values()]) {
      for (const b of p.blocks) b.askedOf.delete(peer);
      // A single-source retry cannot be finished by anyone else: start it over.
      if (p.singleSource && p.owner === peer) this.inProgress.delete(p.piece);
    }
  }

  /**
   * A completed piece failed its hash: start it over. When several peers sent blocks of
   * it, the retry comes from one peer only, so the next outcome pins the blame.
   */
  discard(piece: number, mixedSenders = false): void {
    this.inProgress.delete(piece);
    this.verifying.delete(piece);
    if (mixedSenders) this.singleSource.add(piece);
  }

  /** A completed piece passed its hash and is held now. */
  verified(piece: number): void {
    this.verifying.delete(piece);
    this.singleSource.delete(piece);
  }

  private ask(p: PieceInProgress, b: BlockState, peer: string): BlockRef {
    b.askedOf.add(peer);
    return { piece: p.piece, offset: b.offset, length: b.length };
  }
}
