import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import type { HashRange } from '../pieces/hash-pool.js';
import type { ResourceLayout } from '../pieces/resource-layout.js';
import { fingerprintOf, type FileFingerprint } from './file-fingerprint.js';
import type { PieceStorage } from './piece-storage.js';
import { mkdirInside, refuseSymlinks, resolveInside, UnsafePathError } from './safe-path.js';

/** Open file handles kept at once; a resource with more files reopens them as needed. */
const MAX_OPEN_FILES = 64;

/**
 * Pieces stored in the resource's own files under `root` (each path checked to stay
 * inside it). Reads and writes go straight to disk at the right offsets: memory use does
 * not depend on the resource size.
 */
export class FileStorage implements PieceStorage {
  private readonly handles = new Map<number, Promise<FileHandle>>();
  /**
   * Pieces are written one at a time: several at once (libuv's pool has four threads) only
   * contend for the file's lock in the kernel. Writing 2 GiB in 2 MiB pwrites from Node
   * here: 0.69 s of system CPU four at a time, 0.44 s one after another, same wall time.
   */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    readonly root: string,
    readonly layout: ResourceLayout,
    private readonly writable: boolean,
  ) {}

  pathOf(fileIndex: number): string {
    return resolveInside(this.root, this.layout.spans[fileIndex].path);
  }

  async read(piece: number, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    if (into && into.length !== length) throw new Error(`read buffer of ${into.length} bytes for ${length}`);
    const out = into ?? Buffer.allocUnsafe(length);
    let pos = 0;
    for (const r of this.layout.ranges(piece, offset, length)) {
      const fh = await this.handle(r.fileIndex);
      let done = 0;
      while (done < r.length) {
        const { bytesRead } = await fh.read(out, pos + done, r.length - done, r.fileOffset + done);
        if (bytesRead === 0) throw new Error(`${r.path} is shorter than expected`);
        done += bytesRead;
      }
      pos += r.length;
    }
    if (pos !== length) throw new Error(`read past the end of the resource (piece ${piece})`);
    return out;
  }

  writePiece(piece: number, data: Buffer): Promise<void> {
    if (!this.writable) return Promise.reject(new Error('storage is read-only'));
    const written = this.writes.then(() => this.writeNow(piece, data));
    this.writes = written.catch(() => undefined);
    return written;
  }

  private async writeNow(piece: number, data: Buffer): Promise<void> {
    let pos = 0;
    for (const r of this.layout.ranges(piece)) {
      const fh = await this.handle(r.fileIndex);
      await writeFully(fh, data, pos, r.length, r.fileOffset);
      pos += r.length;
    }
  }

  /** The fingerprint of a file of the resource, from the open handle reads go through. */
  async fingerprint(fileIndex: number): Promise<FileFingerprint> {
    return fingerprintOf(await (await this.handle(fileIndex)).stat({ bigint: true }));
  }

  hashRanges(piece: number): HashRange[] {
    return this.layout
      .ranges(piece)
      .map((r) => ({ path: this.pathOf(r.fileIndex), offset: r.fileOffset, length: r.length }));
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map(async (h) => (await h.catch(() => null))?.close()));
  }

  private handle(fileIndex: number): Promise<FileHandle> {
    let h = this.handles.get(fileIndex);
    if (h) {
      // Refresh recency: Map iteration order is insertion order, so this keeps an LRU.
      this.handles.delete(fileIndex);
      this.handles.set(fileIndex, h);
      return h;
    }
    h = this.openFile(fileIndex);
    this.handles.set(fileIndex, h);
    h.catch(() => this.handles.delete(fileIndex));
    if (this.handles.size > MAX_OPEN_FILES) {
      const [oldest, oldHandle] = this.handles.entries().next().value as [number, Promise<FileHandle>];
      this.handles.delete(oldest);
      // Close only after in-flight operations on it had their turn.
      void oldHandle
        .then((fh) => setTimeout(() => void fh.close().catch(() => undefined), 1000))
        .catch(() => undefined);
    }
    return h;
  }

  private openFile(fileIndex: number): Promise<FileHandle> {
    return this.openNoFollow(fileIndex).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ELOOP') throw err;
      throw new UnsafePathError(this.layout.spans[fileIndex].path, `${this.pathOf(fileIndex)} is a symbolic link`);
    });
  }

  private async openNoFollow(fileIndex: number): Promise<FileHandle> {
    const path = this.pathOf(fileIndex);
    const relative = this.layout.spans[fileIndex].path;
    // O_NOFOLLOW guards the last component; the directories above it are checked one by one.
    if (!this.writable) {
      await refuseSymlinks(this.root, relative);
      return open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    }
    const parent = posix.dirname(relative);
    // The root is the caller's (already resolved) directory; only what lies below it is checked.
    await mkdir(this.root, { recursive: true });
    if (parent !== '.') await mkdirInside(this.root, parent);
    // 'a+' would ignore positions on Linux; open read-write, creating the file only if missing.
    const rw = constants.O_RDWR | constants.O_NOFOLLOW;
    return open(path, rw).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      const create = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
      await (
        await open(path, create).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? null : Promise.reject(e)))
      )?.close();
      return open(path, rw);
    });
  }
}

/**
 * A write may store fewer bytes than asked (a file system filling up does exactly that
 * before it answers ENOSPC): keep writing the rest, so a short write surfaces as an error
 * instead of a piece that counts as stored but is not.
 */
export async function writeFully(
  fh: FileHandle,
  data: Buffer,
  offset: number,
  length: number,
  position: number | null,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await fh.write(
      data,
      offset + done,
      length - done,
      position === null ? null : position + done,
    );
    if (bytesWritten <= 0) throw Object.assign(new Error('no space left on device (short write)'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}
