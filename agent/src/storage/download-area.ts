import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PARTIAL_DIR } from '@shoal/contract';
import { Bitfield } from '../pieces/bitfield.js';
import type { HashPool } from '../pieces/hash-pool.js';
import type { ResourceLayout } from '../pieces/resource-layout.js';
import type { ContentStore } from './content-store.js';
import { FileStorage } from './file-storage.js';
import { ResumeLog } from './resume-log.js';
import { mkdirInside, refuseSymlinks, resolveContained, resolveInside } from './safe-path.js';

export { PARTIAL_DIR };
/** Resumed pieces hashed at once: enough to keep the hash workers busy, few enough to bound the queue. */
const REVERIFY_CONCURRENCY = 8;

export class ExistingFileError extends Error {
  constructor(readonly path: string) {
    super(`${path} already exists; use --overwrite to replace it`);
    this.name = 'ExistingFileError';
  }
}

export interface DownloadAreaOptions {
  /** Replace files already at the final names that this download did not write. */
  overwrite?: boolean;
  /**
   * The agent's private directory for resume logs (`<dataDir>/downloads`, made 0700), one
   * `<sha256(realpath(out) + "\0" + contentId)>.log` (0600) per download. Absent: the log
   * stays beside the pieces, at `<out>/.shoal-partial/<contentId>/verified.log`.
   */
  resumeDir?: string;
}

/** Where the resume log of `contentId` downloading into `outDir` (already resolved) lives under `resumeDir`. */
function resumeLogPath(resumeDir: string, outDir: string, contentId: string): string {
  const key = createHash('sha256').update(`${outDir}\0${contentId}`).digest('hex');
  return join(resumeDir, `${key}.log`);
}

/**
 * A download's place on disk. Pieces are written under `<out>/.shoal-partial/<contentId>/files`
 * and a resume log records which are verified; only when every wanted piece is verified
 * are the wanted files renamed to their final names under `<out>`. Nothing of the content
 * is written outside `<out>`.
 *
 * The pieces stay in `<out>` because that is the file system of the final names: the last
 * step is an atomic rename, with no second copy's worth of disk and no EXDEV across mounts.
 * The resume log lives in the agent's private data dir (`resumeDir`) instead, so whoever can
 * write into `<out>` (another user, a hostile manifest of an older agent) cannot forge or
 * edit it; and whatever it claims is re-hashed on open anyway.
 */
export class DownloadArea implements ContentStore {
  private finalized = false;
  /** Set while files move to their final names: reads wait for it, so none hits a file mid-rename. */
  private finalizing: Promise<void> | null = null;
  private readsInFlight = 0;
  private readsDrained: (() => void) | null = null;
  private readonly servableAfterFinal: Set<number>;
  /** Wanted pieces not yet held: isComplete() runs on every request refill, so it must not scan. */
  private readonly missing: Set<number>;

  private constructor(
    readonly outDir: string,
    readonly layout: ResourceLayout,
    private readonly wantedFiles: ReadonlySet<number>,
    readonly wantedPieces: ReadonlySet<number>,
    private readonly partialDir: string,
    private storage: FileStorage,
    private log: ResumeLog | null,
    /** The resume log when it lives outside the partial directory (removed on finalize). */
    private readonly logPath: string | null,
    readonly held: Bitfield,
  ) {
    this.servableAfterFinal = layout.piecesWithin(wantedFiles);
    this.missing = new Set([...wantedPieces].filter((p) => !held.has(p)));
  }

  static async open(
    outDirGiven: string,
    contentId: string,
    layout: ResourceLayout,
    wantedFiles: ReadonlySet<number>,
    wantedPieces: ReadonlySet<number>,
    pool: HashPool,
    pieceHashes: readonly string[],
    options: DownloadAreaOptions = {},
  ): Promise<DownloadArea> {
    // Resolved once: the output directory the user named may itself be a link, nothing below it may.
    await mkdir(outDirGiven, { recursive: true });
    const outDir = await realpath(outDirGiven);
    const partialRel = `${PARTIAL_DIR}/${contentId}`;
    const partialDir = resolveContained(outDir, partialRel);
    await refuseSymlinks(outDir, partialRel);
    const oldLog = join(partialDir, 'verified.log');
    const logPath = options.resumeDir ? resumeLogPath(options.resumeDir, outDir, contentId) : null;
    const hasPartial = await lstat(partialDir).then(
      () => true,
      () => false,
    );
    if (!hasPartial) {
      const done = await DownloadArea.verifyFinal(outDir, layout, wantedFiles, wantedPieces, pool, pieceHashes);
      if (done) {
        // A kill right after the final rename leaves the log behind.
        if (logPath) await rm(logPath, { force: true });
        const storage = new FileStorage(outDir, layout, false);
        const area = new DownloadArea(outDir, layout, wantedFiles, wantedPieces, partialDir, storage, null, null, done);
        area.finalized = true;
        return area;
      }
    }
    if (!options.overwrite) await DownloadArea.refuseExisting(outDir, layout, wantedFiles);
    await mkdirInside(outDir, `${partialRel}/files`);
    if (options.resumeDir) await mkdir(options.resumeDir, { recursive: true, mode: 0o700 });
    const log = await ResumeLog.open(logPath ?? oldLog, layout.pieceCount);
    const storage = new FileStorage(join(partialDir, 'files'), layout, true);
    await DownloadArea.reverify(storage, log.verified, pool, pieceHashes);
    if (logPath) {
      // An older agent kept the log in the partial directory. With none here yet, what it
      // claims is a hint: re-hashed like any claim, and only what matches is recorded here.
      const hint = log.verified.count() === 0 ? await ResumeLog.readHint(oldLog, layout.pieceCount) : null;
      if (hint) {
        await DownloadArea.reverify(storage, hint, pool, pieceHashes);
        await Promise.all([...hint.indexes()].map((p) => log.append(p)));
      }
      await unlink(oldLog).catch(() => undefined);
    }
    const area = new DownloadArea(
      outDir,
      layout,
      wantedFiles,
      wantedPieces,
      partialDir,
      storage,
      log,
      logPath,
      log.verified,
    );
    // Complete already (killed between the last verified piece and the final rename): no new
    // piece will come to trigger the finalize, so finish here, as that last piece would have.
    if (area.isComplete()) {
      await area.finalize().catch(async (err: unknown) => {
        await area.close();
        throw err;
      });
    }
    return area;
  }

  /**
   * The resume log only says a piece was verified once; the bytes on disk may have changed
   * since (another process, a torn write the file system did not report, a crash mid-copy).
   * Every claimed piece is hashed again and dropped from the held set when it does not match,
   * so it is fetched again instead of being served to peers or moved into place.
   */
  private static async reverify(
    storage: FileStorage,
    held: Bitfield,
    pool: HashPool,
    pieceHashes: readonly string[],
  ): Promise<void> {
    const claimed = [...held.indexes()];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < claimed.length) {
        const p = claimed[next++];
        const linked = await Promise.all(
          storage.layout.ranges(p).map((r) =>
            refuseSymlinks(storage.root, r.path).then(
              () => false,
              () => true,
            ),
          ),
        );
        if (linked.includes(true)) {
          held.unset(p);
          continue;
        }
        const hash = await pool.hashRanges(storage.hashRanges(p)).catch(() => null);
        if (hash !== pieceHashes[p]) held.unset(p);
      }
    };
    await Promise.all(Array.from({ length: Math.min(REVERIFY_CONCURRENCY, claimed.length) }, worker));
  }

  /** A file at a final name that this download did not put there is someone else's: never replaced silently. */
  private static async refuseExisting(outDir: string, layout: ResourceLayout, wantedFiles: ReadonlySet<number>) {
    for (const i of wantedFiles) {
      const target = resolveInside(outDir, layout.spans[i].path);
      const exists = await lstat(target).then(
        () => true,
        (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : Promise.reject(err)),
      );
      if (exists) throw new ExistingFileError(target);
    }
  }

  /** Output already complete from an earlier run: re-verify every wanted piece in place. */
  private static async verifyFinal(
    outDir: string,
    layout: ResourceLayout,
    wantedFiles: ReadonlySet<number>,
    wantedPieces: ReadonlySet<number>,
    pool: HashPool,
    pieceHashes: readonly string[],
  ): Promise<Bitfield | null> {
    for (const i of wantedFiles) {
      await refuseSymlinks(outDir, layout.spans[i].path);
      const size = await lstat(resolveInside(outDir, layout.spans[i].path)).then(
        (s) => (s.isFile() ? s.size : -1),
        () => -1,
      );
      if (size !== layout.spans[i].size) return null;
    }
    const storage = new FileStorage(outDir, layout, false);
    const servable = layout.piecesWithin(wantedFiles);
    const held = new Bitfield(layout.pieceCount);
    // Pieces straddling a file that was not kept cannot be re-read; the file sizes vouch for those.
    const checkable = [...wantedPieces].filter((p) => servable.has(p));
    const results = await Promise.all(
      checkable.map(async (p) => ({ p, ok: (await pool.hashRanges(storage.hashRanges(p))) === pieceHashes[p] })),
    );
    if (results.some((r) => !r.ok)) return null;
    for (const p of servable) held.set(p);
    return held;
  }

  isComplete(): boolean {
    return this.finalized || this.missing.size === 0;
  }

  isFinalized(): boolean {
    return this.finalized;
  }

  /** Whether the piece can be read and served now (after finalizing, only pieces inside kept files). */
  servable(piece: number): boolean {
    return this.held.has(piece) && (!this.finalized || this.servableAfterFinal.has(piece));
  }

  async read(piece: number, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    if (this.finalizing) await this.finalizing;
    this.readsInFlight++;
    try {
      return await this.storage.read(piece, offset, length, into);
    } finally {
      if (--this.readsInFlight === 0) this.readsDrained?.();
    }
  }

  /**
   * Always false: what we wrote was verified in memory, but the files were written to since,
   * and a fingerprint taken right after writing would be racy (see file-fingerprint.ts).
   */
  async unchangedSinceHashed(): Promise<boolean> {
    return false;
  }

  /** Writes a verified piece and records it; after this returns, a restart will not fetch it again. */
  async store(piece: number, data: Buffer): Promise<void> {
    if (this.finalized || !this.log) throw new Error('download already finalized');
    await this.storage.writePiece(piece, data);
    await this.log.append(piece);
    this.missing.delete(piece);
  }

  /** Moves the wanted files to their final names and drops the partial directory. */
  finalize(): Promise<void> {
    if (this.finalized) return Promise.resolve();
    if (!this.isComplete()) return Promise.reject(new Error('cannot finalize an incomplete download'));
    this.finalizing ??= this.moveToFinal().finally(() => {
      this.finalizing = null;
    });
    return this.finalizing;
  }

  private async moveToFinal(): Promise<void> {
    if (this.readsInFlight > 0) await new Promise<void>((resolve) => (this.readsDrained = resolve));
    this.readsDrained = null;
    await this.storage.close();
    await this.log?.close();
    this.log = null;
    for (const i of this.wantedFiles) {
      const span = this.layout.spans[i];
      const target = resolveInside(this.outDir, span.path);
      const parent = posix.dirname(span.path);
      if (parent !== '.') await mkdirInside(this.outDir, parent);
      // A rename would replace a link, not follow it, but a link there means something else owns the name.
      await refuseSymlinks(this.outDir, span.path);
      if (span.size === 0) {
        const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
        await (await open(target, flags)).close();
        continue;
      }
      await rename(resolveInside(join(this.partialDir, 'files'), span.path), target);
    }
    await rm(this.partialDir, { recursive: true, force: true });
    // Drop the parent too when no other download uses it.
    await rmdir(join(this.outDir, PARTIAL_DIR)).catch(() => undefined);
    if (this.logPath) await rm(this.logPath, { force: true });
    this.storage = new FileStorage(this.outDir, this.layout, false);
    this.finalized = true;
  }

  async close(): Promise<void> {
    await this.storage.close();
    await this.log?.close();
    this.log = null;
  }
}
