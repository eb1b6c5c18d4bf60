import { Bitfield } from '../pieces/bitfield.js';

/**
 * Bytes of pieces a downloader may have on offer from us at once while pieces are still new
 * to the swarm: enough to keep a fast link's pipeline full until it reports the next piece
 * done. Never more than an eighth of the pieces, so the first downloaders to connect
 * leave new pieces for those that follow.
 */
const WINDOW_BYTES = 32 * 1024 * 1024;
const WINDOW_SHARE_OF_PIECES = 8;
/** With no piece reported for this long, the first pass ends anyway (a downloader sits on its offers). */
export const STALL_MS = 5_000;

/**
 * What a node holding all of a resource shows each downloader while some pieces are still
 * held by no one else (BitTorrent's "super-seeding", simplified). A seed's upload is what
 * bounds distribution time, so each piece should leave it once, the downloaders passing
 * it on among themselves. Advertising every piece to everyone made downloaders pick the
 * same pieces, and the seed sent well over one copy of the file.
 *
 * Instead each downloader is offered a window of pieces nobody else was offered, refilled
 * as it reports pieces done; pieces a downloader already has need no offer. Once every
 * piece is in the swarm (or nothing moved for STALL_MS), everything is offered to
 * everyone, so a downloader never waits on this policy at the end or after peers leave.
 */
export class InitialSeeding {
  /** Pieces not yet offered to anyone and not seen at any peer, in random order. */
  private readonly fresh: number[];
  private readonly isFresh: Bitfield;
  private freshLeft: number;
  private readonly offered = new Map<string, { offered: Bitfield; waiting: Set<number> }>();
  private readonly windowPieces: number;
  private done = false;
  private lastProgress = Date.now();

  constructor(
    private readonly pieceCount: number,
    pieceSize: number,
    random: () => number = Math.random,
  ) {
    this.fresh = Array.from({ length: pieceCount }, (_, i) => i);
    for (let i = pieceCount - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [this.fresh[i], this.fresh[j]] = [this.fresh[j], this.fresh[i]];
    }
    this.isFresh = new Bitfield(pieceCount);
    for (let p = 0; p < pieceCount; p++) this.isFresh.set(p);
    this.freshLeft = pieceCount;
    this.windowPieces = Math.max(
      1,
      Math.min(Math.floor(WINDOW_BYTES / pieceSize), Math.ceil(pieceCount / WINDOW_SHARE_OF_PIECES)),
    );
  }

  /** True once every piece is offered to everyone (the policy no longer restricts anything). */
  isOver(): boolean {
    return this.done;
  }

  /** A downloader connected: the pieces to show it first, or null for all of them (the first pass is over). */
  join(peer: string, peerHas: (piece: number) => boolean): number[] | null {
    if (this.done) return null;
    this.offered.set(peer, { offered: new Bitfield(this.pieceCount), waiting: new Set() });
    return this.topUp(peer, peerHas);
  }

  leave(peer: string): void {
    const state = this.offered.get(peer);
    this.offered.delete(peer);
    if (!state || this.done) return;
    // Pieces it was offered but never got are new to the swarm again.
    for (const p of state.waiting) this.makeFresh(p);
  }

  /**
   * A downloader reported holding `piece`: the piece is in the swarm now. Returns, per
   * peer, the pieces to offer next (all of them to everyone once the first pass is over).
   */
  peerHas(peer: string, piece: number, peerHas: (piece: number) => boolean): Map<string, number[]> {
    if (this.done) return new Map();
    this.lastProgress = Date.now();
    this.takeFresh(piece);
    this.offered.get(peer)?.waiting.delete(piece);
    const more = this.topUp(peer, peerHas);
    const out = this.inSwarm() ? this.finish() : new Map<string, number[]>();
    if (more.length > 0) out.set(peer, [...more, ...(out.get(peer) ?? [])]);
    return out;
  }

  /** Ends the first pass when nothing moved for a while; returns what to offer then (empty if it goes on). */
  finishIfStalled(now = Date.now()): Map<string, number[]> {
    return !this.done && now - this.lastProgress > STALL_MS ? this.finish() : new Map();
  }

  /** Every piece has reached some downloader: nothing is new to the swarm any more. */
  private inSwarm(): boolean {
    if (this.freshLeft > 0) return false;
    for (const state of this.offered.values()) if (state.waiting.size > 0) return false;
    return true;
  }

  /** The first pass ended: offer every piece not offered yet, to every peer. */
  private finish(): Map<string, number[]> {
    this.done = true;
    const out = new Map<string, number[]>();
    for (const [peer, state] of this.offered) {
      const rest: number[] = [];
      for (let p = 0; p < this.pieceCount; p++) if (!state.offered.has(p)) rest.push(p);
      out.set(peer, rest);
    }
    this.offered.clear();
    return out;
  }

  private topUp(peer: string, peerHas: (piece: number) => boolean): number[] {
    const state = this.offered.get(peer);
    if (!state) return [];
    // Share what is new among every downloader present, so the first to connect cannot take it all.
    const share = Math.ceil(this.freshLeft / Math.max(1, this.offered.size));
    const want = Math.min(this.windowPieces, Math.max(1, share)) - state.waiting.size;
    const out: number[] = [];
    while (out.length < want && this.fresh.length > 0) {
      const p = this.fresh.pop()!;
      if (!this.isFresh.has(p)) continue;
      this.takeFresh(p);
      if (peerHas(p)) continue;
      state.offered.set(p);
      state.waiting.add(p);
      out.push(p);
    }
    return out;
  }

  private takeFresh(piece: number): void {
    if (this.isFresh.unset(piece)) this.freshLeft--;
  }

  private makeFresh(piece: number): void {
    if (this.isFresh.set(piece)) {
      this.freshLeft++;
      this.fresh.push(piece);
    }
  }
}
