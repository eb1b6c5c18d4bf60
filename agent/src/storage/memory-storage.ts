import type { ResourceLayout } from '../pieces/resource-layout.js';
import type { PieceStorage } from './piece-storage.js';

/** Keeps pieces in memory; for tests and tiny resources. */
export class MemoryStorage implements PieceStorage {
  private readonly pieces = new Map<number, Buffer>();

  constructor(readonly layout: ResourceLayout) {}

  async read(piece: number, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const data = this.pieces.get(piece);
    if (!data || offset + length > data.length) throw new Error(`piece ${piece} not held`);
    if (!into) return data.subarray(offset, offset + length);
    data.copy(into, 0, offset, offset + length);
    return into;
  }

  async writePiece(piece: number, data: Buffer): Promise<void> {
    this.pieces.set(piece, Buffer.from(data));
  }

  hashRanges(): null {
    return null;
  }

  async close(): Promise<void> {
    this.pieces.clear();
  }
}
