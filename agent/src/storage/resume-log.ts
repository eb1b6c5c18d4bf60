import { open, readFile, type FileHandle } from 'node:fs/promises';
import { writeFully } from './file-storage.js';
import { Bitfield } from '../pieces/bitfield.js';

/**
 * Which pieces are verified and on disk, as an append-only log of u32 piece indexes.
 * A piece is appended only after its bytes are written, and an append is one small
 * write, so a kill -9 at any moment loses at most the piece being appended (a torn
 * trailing record is ignored) and never marks an unwritten piece as held.
 */
export class ResumeLog {
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
    const fh = await open(path, 'a');
    if (bytes.length % 4 !== 0) await fh.truncate(bytes.length - (bytes.length % 4));
    return new ResumeLog(fh, verified);
  }

  async append(piece: number): Promise<void> {
    if (this.verified.has(piece)) return;
    const rec = Buffer.alloc(4);
    rec.writeUInt32BE(piece);
    await writeFully(this.fh, rec, 0, rec.length, null);
    // Counted as held only once on disk, so what progress reports survives a kill.
    this.verified.set(piece);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
