import { Bitfield } from '../pieces/bitfield.js';
import type { ResourceLayout } from '../pieces/resource-layout.js';
import { sameFingerprint, type FileFingerprint } from './file-fingerprint.js';
import { FileStorage } from './file-storage.js';

/** What the swarm needs from the place a resource lives, whether complete or still downloading. */
export interface ContentStore {
  readonly held: Bitfield;
  readonly wantedPieces: ReadonlySet<number>;
  servable(piece: number): boolean;
  /** Reads a block of a servable piece (to send to a peer), into `into` when given (exactly `length` bytes). */
  read(piece: number, offset: number, length: number, into?: Buffer): Promise<Buffer>;
  /**
   * True when every file this piece lies in is, by its fingerprint checked now, the very state
   * whose bytes were hashed in full: bytes read before this call need no re-hash to be served.
   */
  unchangedSinceHashed(piece: number): Promise<boolean>;
  isComplete(): boolean;
  /** Writes and records a verified piece. */
  store(piece: number, data: Buffer): Promise<void>;
  /** Called once every wanted piece is held: moves content to its final place. */
  finalize(): Promise<void>;
  close(): Promise<void>;
}

/** Content this node already holds in full (published here, or downloaded earlier), read in place. */
export class CompleteStore implements ContentStore {
  readonly held: Bitfield;
  readonly wantedPieces: ReadonlySet<number>;
  private readonly storage: FileStorage;

  /**
   * `hashed`: fingerprints, by resource path, of files whose whole content was hashed when
   * they had that fingerprint (publish records them); the pieces of other files are re-hashed
   * whenever they are read.
   */
  constructor(
    root: string,
    private readonly layout: ResourceLayout,
    private readonly hashed: Readonly<Record<string, FileFingerprint>> = {},
  ) {
    this.storage = new FileStorage(root, layout, false);
    this.held = new Bitfield(layout.pieceCount);
    for (let p = 0; p < layout.pieceCount; p++) this.held.set(p);
    this.wantedPieces = new Set(this.held.indexes());
  }

  servable(piece: number): boolean {
    return this.held.has(piece);
  }

  isComplete(): boolean {
    return true;
  }

  read(piece: number, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    return this.storage.read(piece, offset, length, into);
  }

  async unchangedSinceHashed(piece: number): Promise<boolean> {
    for (const r of this.layout.ranges(piece)) {
      const known = this.hashed[r.path];
      if (!known || !sameFingerprint(known, await this.storage.fingerprint(r.fileIndex))) return false;
    }
    return true;
  }

  async store(): Promise<void> {
    throw new Error('complete content takes no more pieces');
  }

  async finalize(): Promise<void> {}

  close(): Promise<void> {
    return this.storage.close();
  }
}
