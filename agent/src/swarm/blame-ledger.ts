/** Failed copies kept to find a liar later; a few are plenty. */
const MAX_FAILED_COPIES = 8;

/**
 * Who to blame for pieces that fail their hash. Pure bookkeeping, no I/O. A piece sent by
 * one peer blames that peer at once. A piece whose blocks came from several peers blames
 * no one yet: its bad copy is kept, and once the piece verifies (fetched again from one
 * peer), every block that differs from the good copy names its sender. Honest peers that
 * shared a piece with a liar are never blamed.
 */
export class BlameLedger {
  private readonly failedCopies = new Map<number, { data: Buffer; senders: Map<number, string> }>();

  /** A piece failed: who is to blame now (possibly no one yet), and whether to re-fetch it from one peer only. */
  failed(piece: number, data: Buffer, senders: Map<number, string>): { blameNow: string[]; retryFromOnePeer: boolean } {
    const distinct = [...new Set(senders.values())];
    if (distinct.length === 1) return { blameNow: distinct, retryFromOnePeer: false };
    this.failedCopies.set(piece, { data, senders });
    if (this.failedCopies.size > MAX_FAILED_COPIES) this.failedCopies.delete(this.failedCopies.keys().next().value!);
    return { blameNow: [], retryFromOnePeer: true };
  }

  /** A piece verified: the senders of blocks that differed in its failed copy, if any was kept. */
  verified(piece: number, good: Buffer): string[] {
    const failed = this.failedCopies.get(piece);
    if (!failed) return [];
    this.failedCopies.delete(piece);
    const offsets = [...failed.senders.keys()].sort((a, b) => a - b);
    const liars = new Set<string>();
    offsets.forEach((offset, i) => {
      const end = offsets[i + 1] ?? good.length;
      if (!good.subarray(offset, end).equals(failed.data.subarray(offset, end))) liars.add(failed.senders.get(offset)!);
    });
    return [...liars];
  }
}
