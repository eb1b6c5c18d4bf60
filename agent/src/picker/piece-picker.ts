/** Pieces fetched in random order before rarest-first takes over, so a new node soon has something to trade. */
export const RANDOM_FIRST_PIECES = 4;

/**
 * Rarest-first piece choice, pure: it only counts how many connected peers hold each
 * piece and picks among the candidates one peer can give us. No I/O, no timers.
 */
export class PiecePicker {
  private readonly availability: Uint32Array;
  private heldCount = 0;
  private wantedHeld = 0;
  private readonly held: Uint8Array;

  constructor(
    readonly pieceCount: number,
    private readonly wanted: ReadonlySet<number>,
    private readonly random: () => number = Math.random,
  ) {
    this.availability = new Uint32Array(pieceCount);
    this.held = new Uint8Array(pieceCount);
  }

  peerHas(piece: number): void {
    if (piece < this.pieceCount) this.availability[piece]++;
  }

  peerLost(piece: number): void {
    if (piece < this.pieceCount && this.availability[piece] > 0) this.availability[piece]--;
  }

  markHeld(piece: number): void {
    if (!this.held[piece]) {
      this.held[piece] = 1;
      this.heldCount++;
      if (this.wanted.has(piece)) this.wantedHeld++;
    }
  }

  /** How many wanted pieces are still missing (cheap: kept as a count). */
  remainingCount(): number {
    return this.wanted.size - this.wantedHeld;
  }

  /** Whether some connected peer holds a wanted piece we lack (stops at the first). */
  anyMissingAvailable(): boolean {
    if (this.remainingCount() === 0) return false;
    for (const p of this.wanted) if (!this.held[p] && this.availability[p] > 0) return true;
    return false;
  }

  /** Wanted pieces not yet held. */
  remaining(): number[] {
    return [...this.wanted].filter((p) => !this.held[p]);
  }

  /**
   * The next piece to start fetching from a peer: wanted, not held, not already being
   * fetched, and held by that peer. Random for the first few pieces, then the rarest
   * (ties broken at random so downloaders spread over different pieces). Null when
   * the peer has nothing new for us.
   */
  pick(peerHasPiece: (piece: number) => boolean, inProgress: (piece: number) => boolean): number | null {
    const randomPhase = this.heldCount < RANDOM_FIRST_PIECES;
    let best: number | null = null;
    let bestRarity = Infinity;
    let ties = 0;
    for (const p of this.wanted) {
      if (this.held[p] || inProgress(p) || !peerHasPiece(p)) continue;
      const rarity = randomPhase ? 0 : this.availability[p];
      if (rarity < bestRarity) {
        best = p;
        bestRarity = rarity;
        ties = 1;
      } else if (rarity === bestRarity) {
        // Reservoir sampling: each tied piece ends up chosen with equal probability.
        ties++;
        if (this.random() * ties < 1) best = p;
      }
    }
    return best;
  }
}
