import { constants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { writeFully } from './file-storage.js';
import { Bitfield } from '../pieces/bitfield.js';

/**
 * Which pieces are verified and on disk, as an append-only log of u32 piece indexes.
 * A piece is appended only after its bytes are written, and an append is one small
 * write, so a kill -9 at any moment loses at most the piece being appended (a torn
 * trailing record is ignored) and never marks an unwritten piece as held. Records that
 * arrive while a write is in flight go out together in the next one: one write per
 * batch, not per piece, keeps the log off the transfer's hot path.
 */
export class ResumeLog {
  /** Records waiting for the write in flight to finish; they all go in the next write. */
  private next: { pieces: Set<number>; written: Promise<void> } | null = null;
  private lastWrite: Promise<void> = Promise.resolve();

  private constructor(
    private readonly fh: FileHandle,
    readonly verified: Bitfield,
  ) {}

  static async open(path: string, pieceCount: number): Promise<ResumeLog> {
    const verified = new Bitfield(pieceCount);
    const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return Buffer.alloc(0);
      throw err;
    });
    for (let i = 0; i + 4 <= bytes.length; i += 4) verified.set(bytes.readUInt32BE(i));
    const fh = await open(path, 'a', 0o600);
    if (bytes.length % 4 !== 0) await fh.truncate(bytes.length - (bytes.length % 4));
    return new ResumeLog(fh, verified);
  }

  /** Records a piece as verified; resolves once the record is on disk. */
  append(piece: number): Promise<void> {
    if (this.verified.has(piece)) return Promise.resolve();
    if (!this.next) {
      const batch = { pieces: new Set<number>(), written: Promise.resolve() };
      batch.written = this.lastWrite.then(() => {
        // From here on, new records wait for the write after this one.
        if (this.next === batch) this.next = null;
        return this.write([...batch.pieces]);
      });
      this.next = batch;
      this.lastWrite = batch.written.catch(() => undefined);
    }
    this.next.pieces.add(piece);
    return this.next.written;
  }

  /**
   * The pieces a log at `path` claims, read as a hint only (every one is re-hashed before it
   * counts): for a log left where older agents kept it, in a directory others may write to.
   * So it is never followed through a link, must be a regular file, and is read only up to
   * a few records per piece; null when there is none.
   */
  static async readHint(path: string, pieceCount: number): Promise<Bitfield | null> {
    const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
    const fh = await open(path, flags).catch(() => null);
    if (!fh) return null;
    try {
      const st = await fh.stat();
      if (!st.isFile()) return null;
      const bytes = Buffer.alloc(Math.min(st.size, 16 * pieceCount));
      const { bytesRead } = await fh.read(bytes, 0, bytes.length, 0);
      const claimed = new Bitfield(pieceCount);
      for (let i = 0; i + 4 <= bytesRead; i += 4) claimed.set(bytes.readUInt32BE(i));
      return claimed;
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {
    await this.lastWrite;
    await this.fh.close();
  }

  private async write(pieces: number[]): Promise<void> {
    const records = Buffer.allocUnsafe(pieces.length * 4);
    pieces.forEach((p, i) => records.writeUInt32BE(p, i * 4));
    await writeFully(this.fh, records, 0, records.length, null);
    // Counted as held only once on disk, so what progress reports survives a kill.
    for (const p of pieces) this.verified.set(p);
  }
}
