import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, realpath, rm, stat, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashPool } from '../pieces/hash-pool.js';
import { ResourceLayout } from '../pieces/resource-layout.js';
import { DownloadArea, ExistingFileError, PARTIAL_DIR } from './download-area.js';
import { FileStorage } from './file-storage.js';
import { MemoryStorage } from './memory-storage.js';
import type { PieceStorage } from './piece-storage.js';
import { ResumeLog } from './resume-log.js';
import { folderNameFor, resolveInside, UnsafePathError } from './safe-path.js';

const PIECE = 16384;
const files = [
  { path: 'top/a.bin', size: 20000 },
  { path: 'top/empty', size: 0 },
  { path: 'top/sub/b.bin', size: 30000 },
  { path: 'c.bin', size: 5 },
];
const total = files.reduce((a, f) => a + f.size, 0);
const content = randomBytes(total);
const layout = new ResourceLayout(total, PIECE, files);
const pieceData = (p: number) => content.subarray(p * PIECE, p * PIECE + layout.pieceLength(p));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const hashes = Array.from({ length: layout.pieceCount }, (_, p) => sha(pieceData(p)));

let dir: string;
let pool: HashPool;
beforeAll(() => {
  pool = new HashPool(2);
});
afterAll(() => pool.destroy());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-storage-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('resource layout', () => {
  it('maps a piece to the file ranges it covers, skipping empty files', () => {
    expect(layout.pieceCount).toBe(4);
    expect(layout.ranges(1)).toEqual([
      { fileIndex: 0, path: 'top/a.bin', fileOffset: 16384, length: 3616 },
      { fileIndex: 2, path: 'top/sub/b.bin', fileOffset: 0, length: 12768 },
    ]);
    expect(layout.ranges(3)).toEqual([
      { fileIndex: 2, path: 'top/sub/b.bin', fileOffset: 29152, length: 848 },
      { fileIndex: 3, path: 'c.bin', fileOffset: 0, length: 5 },
    ]);
    expect(layout.ranges(1, 3616, 10)).toEqual([{ fileIndex: 2, path: 'top/sub/b.bin', fileOffset: 0, length: 10 }]);
  });

  it('knows which pieces lie wholly inside a set of files', () => {
    expect([...layout.piecesWithin(new Set([0]))]).toEqual([0]);
    expect([...layout.piecesWithin(new Set([0, 1, 2, 3]))]).toEqual([0, 1, 2, 3]);
  });
});

describe('safe paths', () => {
  it('refuses paths that would leave the root', () => {
    expect(() => resolveInside('/out', '../x')).toThrow(UnsafePathError);
    expect(() => resolveInside('/out', '/etc/passwd')).toThrow(UnsafePathError);
    expect(resolveInside('/out', 'a/b')).toBe('/out/a/b');
  });

  it('makes one safe folder name of an untrusted resource name, or falls back to the id', () => {
    const id = '0b7e2c1a-0000-4000-8000-000000000001';
    expect(folderNameFor('Quarterly report 2026', id)).toBe('Quarterly report 2026');
    expect(folderNameFor('../../etc/passwd', id)).toBe(id);
    expect(folderNameFor('a/b\\c:d', id)).toBe('a_b_c_d');
    expect(folderNameFor('evil\u202etxt.exe', id)).toBe('evil_txt.exe');
    expect(folderNameFor('trailing. . ', id)).toBe('trailing');
    for (const refused of ['', '   ', '..', '.hidden', '.shoal-partial', 'CON', 'nul.txt'])
      expect(folderNameFor(refused, id)).toBe(id);
    expect(folderNameFor('x'.repeat(300), id)).toHaveLength(100);
  });
});

describe.each([
  ['file', () => new FileStorage(join(dir, 'root'), layout, true) as PieceStorage],
  ['memory', () => new MemoryStorage(layout) as PieceStorage],
])('%s storage backend', (_, make) => {
  it('returns what was written, at any offset, across file boundaries', async () => {
    const storage = make();
    for (let p = layout.pieceCount - 1; p >= 0; p--) await storage.writePiece(p, pieceData(p));
    for (let p = 0; p < layout.pieceCount; p++) {
      expect((await storage.read(p, 0, layout.pieceLength(p))).equals(pieceData(p))).toBe(true);
    }
    expect((await storage.read(1, 3000, 1000)).equals(content.subarray(PIECE + 3000, PIECE + 4000))).toBe(true);
    await storage.close();
  });
});

describe('file storage', () => {
  it('writes each file in place under its root and hashes in place on workers', async () => {
    const storage = new FileStorage(join(dir, 'root'), layout, true);
    for (let p = 0; p < layout.pieceCount; p++) await storage.writePiece(p, pieceData(p));
    await storage.close();
    expect((await readFile(join(dir, 'root/top/sub/b.bin'))).equals(content.subarray(20000, 50000))).toBe(true);
    expect(await pool.hashRanges(storage.hashRanges(1))).toBe(hashes[1]);
  });

  it('refuses to write to a read-only root', async () => {
    const storage = new FileStorage(dir, layout, false);
    await expect(storage.writePiece(0, pieceData(0))).rejects.toThrow('read-only');
  });
});

describe('resume log', () => {
  it('remembers appended pieces and ignores a torn last record', async () => {
    const path = join(dir, 'log');
    const log = await ResumeLog.open(path, 10);
    await log.append(3);
    await log.append(7);
    await log.append(3);
    await log.close();
    await writeFile(path, Buffer.concat([await readFile(path), Buffer.from([0, 0])]));
    const again = await ResumeLog.open(path, 10);
    expect([...again.verified.indexes()]).toEqual([3, 7]);
    await again.append(1);
    await again.close();
    expect((await readFile(path)).length).toBe(12);
  });
});

describe('download area', () => {
  const all = new Set([0, 1, 2, 3]);
  const open = (wantedFiles = all, wantedPieces = new Set([0, 1, 2, 3])) =>
    DownloadArea.open(join(dir, 'out'), 'c'.repeat(64), layout, wantedFiles, wantedPieces, pool, hashes);

  it('keeps everything under .shoal-partial until complete, then renames to the final names', async () => {
    const area = await open();
    await area.store(0, pieceData(0));
    await area.store(2, pieceData(2));
    expect(await readdir(join(dir, 'out'))).toEqual([PARTIAL_DIR]);
    await expect(area.finalize()).rejects.toThrow('incomplete');
    await area.close();

    const resumed = await open();
    expect([...resumed.held.indexes()]).toEqual([0, 2]);
    await resumed.store(1, pieceData(1));
    await resumed.store(3, pieceData(3));
    await resumed.finalize();
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['c.bin', 'top']);
    expect((await readFile(join(dir, 'out/top/a.bin'))).equals(content.subarray(0, 20000))).toBe(true);
    expect((await stat(join(dir, 'out/top/empty'))).size).toBe(0);
    expect((await resumed.read(3, 0, layout.pieceLength(3))).equals(pieceData(3))).toBe(true);
    await resumed.close();

    const again = await open();
    expect(again.isFinalized()).toBe(true);
    expect(again.held.count()).toBe(4);
    await again.close();
  });

  it('re-hashes resumed pieces and fetches again the ones whose bytes changed on disk', async () => {
    const area = await open();
    for (const p of [0, 1, 2]) await area.store(p, pieceData(p));
    await area.close();
    // Piece 1 spans top/a.bin and top/sub/b.bin: corrupt its part in b.bin behind the log's back.
    const partialB = join(dir, 'out', PARTIAL_DIR, 'c'.repeat(64), 'files/top/sub/b.bin');
    const bytes = await readFile(partialB);
    bytes[100] ^= 0xff;
    await writeFile(partialB, bytes);

    const resumed = await open();
    expect([...resumed.held.indexes()]).toEqual([0, 2]);
    expect(resumed.servable(1)).toBe(false);
    expect(resumed.isComplete()).toBe(false);
    await resumed.store(1, pieceData(1));
    await resumed.store(3, pieceData(3));
    await resumed.finalize();
    for (const [i, f] of files.entries()) {
      const off = layout.spans[i].offset;
      expect((await readFile(join(dir, 'out', f.path))).equals(content.subarray(off, off + f.size))).toBe(true);
    }
    await resumed.close();
  });

  it('finishes a download already complete at start (killed between the last piece and the final rename)', async () => {
    // What such a kill leaves: every piece in the partial files and in the resume log, nothing at a final name.
    const partial = join(dir, 'out', PARTIAL_DIR, 'c'.repeat(64));
    for (const [i, f] of files.entries()) {
      const off = layout.spans[i].offset;
      await mkdir(join(partial, 'files', f.path, '..'), { recursive: true });
      await writeFile(join(partial, 'files', f.path), content.subarray(off, off + f.size));
    }
    const log = Buffer.alloc(4 * layout.pieceCount);
    for (let p = 0; p < layout.pieceCount; p++) log.writeUInt32BE(p, 4 * p);
    await writeFile(join(partial, 'verified.log'), log);

    const area = await open();
    expect(area.isFinalized()).toBe(true);
    expect(area.held.count()).toBe(4);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['c.bin', 'top']);
    for (const [i, f] of files.entries()) {
      const off = layout.spans[i].offset;
      expect((await readFile(join(dir, 'out', f.path))).equals(content.subarray(off, off + f.size))).toBe(true);
    }
    expect((await area.read(3, 0, layout.pieceLength(3))).equals(pieceData(3))).toBe(true);
    await area.close();
  });

  describe('with the resume log in the agent data dir', () => {
    const cid = 'c'.repeat(64);
    const resumeDir = () => join(dir, 'data', 'downloads');
    const openIn = () =>
      DownloadArea.open(join(dir, 'out'), cid, layout, all, all, pool, hashes, { resumeDir: resumeDir() });
    const logFile = async () =>
      join(resumeDir(), `${sha(Buffer.from(`${await realpath(join(dir, 'out'))}\0${cid}`))}.log`);
    const partialFile = (path: string) => join(dir, 'out', PARTIAL_DIR, cid, 'files', path);
    const records = (pieces: number[]) => {
      const b = Buffer.alloc(4 * pieces.length);
      pieces.forEach((p, i) => b.writeUInt32BE(p, 4 * i));
      return b;
    };

    it('keeps it there (0600 in a 0700 dir), not in the output folder, and removes it on finalize', async () => {
      const area = await openIn();
      await area.store(0, pieceData(0));
      await area.store(2, pieceData(2));
      expect((await stat(resumeDir())).mode & 0o777).toBe(0o700);
      expect((await stat(await logFile())).mode & 0o777).toBe(0o600);
      expect(await readFile(await logFile())).toEqual(records([0, 2]));
      expect(await readdir(join(dir, 'out', PARTIAL_DIR, cid))).toEqual(['files']);
      await area.store(1, pieceData(1));
      await area.store(3, pieceData(3));
      await area.finalize();
      expect((await readdir(join(dir, 'out'))).sort()).toEqual(['c.bin', 'top']);
      expect(await readdir(resumeDir())).toEqual([]);
      await area.close();
    });

    it('resumes across opens: verified pieces are not fetched again, yet re-hashed', async () => {
      const area = await openIn();
      for (const p of [0, 1, 2]) await area.store(p, pieceData(p));
      await area.close();
      // Piece 1 spans top/a.bin and top/sub/b.bin: corrupt its part in b.bin behind the log's back.
      const bytes = await readFile(partialFile('top/sub/b.bin'));
      bytes[100] ^= 0xff;
      await writeFile(partialFile('top/sub/b.bin'), bytes);

      const resumed = await openIn();
      expect([...resumed.held.indexes()]).toEqual([0, 2]);
      await resumed.store(1, pieceData(1));
      await resumed.close();
      const again = await openIn();
      expect([...again.held.indexes()]).toEqual([0, 1, 2]);
      await again.store(3, pieceData(3));
      await again.finalize();
      for (const [i, f] of files.entries()) {
        const off = layout.spans[i].offset;
        expect((await readFile(join(dir, 'out', f.path))).equals(content.subarray(off, off + f.size))).toBe(true);
      }
      await again.close();
    });

    it('re-hashes what a verified.log dropped in the output folder claims, and drops that file', async () => {
      // Before any log of ours exists: piece 0 is genuine, pieces 1-3 are the forger's bytes.
      for (const [i, f] of files.entries()) {
        const off = layout.spans[i].offset;
        await mkdir(join(partialFile(f.path), '..'), { recursive: true });
        await writeFile(partialFile(f.path), i === 0 ? content.subarray(off, off + f.size) : randomBytes(f.size));
      }
      const forged = join(dir, 'out', PARTIAL_DIR, cid, 'verified.log');
      await writeFile(forged, records([0, 1, 2, 3]));
      const area = await openIn();
      expect([...area.held.indexes()]).toEqual([0]);
      expect(area.isComplete()).toBe(false);
      expect(await readFile(await logFile())).toEqual(records([0]));
      await expect(stat(forged)).rejects.toThrow('ENOENT');
      await area.close();

      // With a log of ours, one dropped there later is not even read.
      await writeFile(forged, records([1, 2, 3]));
      const again = await openIn();
      expect([...again.held.indexes()]).toEqual([0]);
      await expect(stat(forged)).rejects.toThrow('ENOENT');
      await again.close();
    });

    it("takes over an older agent's verified.log, so its download resumes", async () => {
      const old = await open();
      for (const p of [0, 2]) await old.store(p, pieceData(p));
      await old.close();
      const area = await openIn();
      expect([...area.held.indexes()]).toEqual([0, 2]);
      expect(await readdir(join(dir, 'out', PARTIAL_DIR, cid))).toEqual(['files']);
      await area.close();
      const again = await openIn();
      expect([...again.held.indexes()]).toEqual([0, 2]);
      await again.close();
    });
  });

  it('refuses an output directory component that is a symbolic link and leaves its target untouched', async () => {
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await mkdir(join(dir, 'out'));
    await symlink(elsewhere, join(dir, 'out/top'));
    await expect(open()).rejects.toThrow(`${join(dir, 'out/top')} is a symbolic link`);
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it('refuses to finalize onto a symbolic link planted at a final name and leaves its target untouched', async () => {
    const victim = join(dir, 'victim');
    await writeFile(victim, 'keep');
    const area = await open();
    for (let p = 0; p < layout.pieceCount; p++) await area.store(p, pieceData(p));
    await mkdir(join(dir, 'out/top'));
    await symlink(victim, join(dir, 'out/top/empty'));
    await expect(area.finalize()).rejects.toThrow(`${join(dir, 'out/top/empty')} is a symbolic link`);
    expect(await readFile(victim, 'utf8')).toBe('keep');
    await area.close();
  });

  it('refuses to write pieces through a symbolic link inside the partial directory', async () => {
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    const area = await open();
    await area.close();
    await symlink(elsewhere, join(dir, 'out', PARTIAL_DIR, 'c'.repeat(64), 'files/top'));
    const again = await open();
    await expect(again.store(0, pieceData(0))).rejects.toThrow('is a symbolic link');
    expect(await readdir(elsewhere)).toEqual([]);
    await again.close();
  });

  it('refuses, before fetching anything, to replace a file it did not write unless told to overwrite', async () => {
    await mkdir(join(dir, 'out/top/sub'), { recursive: true });
    await writeFile(join(dir, 'out/top/sub/b.bin'), 'mine');
    await expect(open()).rejects.toThrow(new ExistingFileError(join(dir, 'out/top/sub/b.bin')));
    expect(await readdir(join(dir, 'out'))).toEqual(['top']);
    expect(await readFile(join(dir, 'out/top/sub/b.bin'), 'utf8')).toBe('mine');

    const area = await DownloadArea.open(join(dir, 'out'), 'c'.repeat(64), layout, all, all, pool, hashes, {
      overwrite: true,
    });
    for (let p = 0; p < layout.pieceCount; p++) await area.store(p, pieceData(p));
    await area.finalize();
    expect((await readFile(join(dir, 'out/top/sub/b.bin'))).equals(content.subarray(20000, 50000))).toBe(true);
    await area.close();
  });

  it('serves reads that race with the final rename', async () => {
    const area = await open();
    for (let p = 0; p < layout.pieceCount; p++) await area.store(p, pieceData(p));
    const reads = Array.from({ length: 40 }, (_, i) => area.read(i % 4, 0, layout.pieceLength(i % 4)));
    const done = area.finalize();
    reads.push(...Array.from({ length: 40 }, (_, i) => area.read(i % 4, 0, layout.pieceLength(i % 4))));
    await done;
    // Buffer.equals, not toEqual: jest compares Buffers byte by byte as objects, which is slow.
    (await Promise.all(reads)).forEach((data, i) => expect(data.equals(pieceData(i % 4))).toBe(true));
    await area.close();
  });

  it('starts over when a final file was altered', async () => {
    await mkdir(join(dir, 'out/top/sub'), { recursive: true });
    for (const [i, f] of files.entries()) {
      const off = layout.spans[i].offset;
      await writeFile(join(dir, 'out', f.path), content.subarray(off, off + f.size));
    }
    expect((await open()).isFinalized()).toBe(true);
    await writeFile(join(dir, 'out/c.bin'), 'xxxxx');
    const area = await DownloadArea.open(join(dir, 'out'), 'c'.repeat(64), layout, all, all, pool, hashes, {
      overwrite: true,
    });
    expect(area.isFinalized()).toBe(false);
    expect(area.held.count()).toBe(0);
    await area.close();
  });

  it('keeps only the included files and serves only pieces wholly inside them', async () => {
    const area = await open(new Set([0]), new Set([0, 1]));
    await area.store(0, pieceData(0));
    await area.store(1, pieceData(1));
    expect(area.isComplete()).toBe(true);
    await area.finalize();
    expect(await readdir(join(dir, 'out'))).toEqual(['top']);
    expect(await readdir(join(dir, 'out/top'))).toEqual(['a.bin']);
    expect(area.servable(0)).toBe(true);
    expect(area.servable(1)).toBe(false);
    await area.close();
  });
});
