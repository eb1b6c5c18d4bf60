import type { HashRange } from '../pieces/hash-pool.js';
import type { ResourceLayout } from '../pieces/resource-layout.js';

/**
 * Where a resource's bytes live. The engine reads blocks to serve and writes whole
 * verified pieces; it never knows whether they land in files or elsewhere.
 */
export interface PieceStorage {
  readonly layout: ResourceLayout;
  /** Reads into `into` when given (a reused buffer of exactly `length` bytes), else into a new buffer. */
  read(piece: number, offset: number, length: number, into?: Buffer): Promise<Buffer>;
  /** Writes a whole piece (already verified by the caller). */
  writePiece(piece: number, data: Buffer): Promise<void>;
  /** File ranges a hash worker reads to re-verify a piece in place; null when the backend has no files. */
  hashRanges(piece: number): HashRange[] | null;
  close(): Promise<void>;
}
