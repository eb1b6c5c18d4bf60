import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from './atomic-file.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-atomic-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes the content and leaves no temporary file', async () => {
    await writeFileAtomic(join(dir, 'node.json'), '{"a":1}');
    expect(await readFile(join(dir, 'node.json'), 'utf8')).toBe('{"a":1}');
    expect(await readdir(dir)).toEqual(['node.json']);
  });

  it('gives the file exactly the mode asked for, whatever the umask', async () => {
    const before = process.umask(0o077);
    try {
      await writeFileAtomic(join(dir, 'secret'), 'key', { mode: 0o600 });
      await writeFileAtomic(join(dir, 'public'), 'unit', { mode: 0o644 });
    } finally {
      process.umask(before);
    }
    expect((await stat(join(dir, 'secret'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'public'))).mode & 0o777).toBe(0o644);
  });

  it('replaces an existing file, taking the new mode', async () => {
    const file = join(dir, 'holdings.json');
    await writeFile(file, 'old', { mode: 0o644 });
    await writeFileAtomic(file, 'new', { mode: 0o600 });
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['holdings.json']);
  });

  it('keeps the old content when the new cannot be serialized', async () => {
    const file = join(dir, 'node.json');
    await writeJsonAtomic(file, { credential: 'old' });
    await expect(writeJsonAtomic(file, { credential: 1n })).rejects.toThrow(/BigInt/);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ credential: 'old' });
    expect(await readdir(dir)).toEqual(['node.json']);
  });

  it('leaves what was there, and no temporary file, when the rename fails', async () => {
    // A non-empty directory in the way: the temporary file is written and synced, the rename over it fails.
    const target = join(dir, 'taken');
    await mkdir(join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomic(target, 'new')).rejects.toMatchObject({
      code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/),
    });
    expect(await readdir(dir)).toEqual(['taken']);
    expect(await readdir(target)).toEqual(['inside']);
  });

  it('fails clearly in a directory that does not exist, creating nothing', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'node.json'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes without syncing when asked (the status file), still whole', async () => {
    await writeJsonAtomic(join(dir, 'status.json'), { pid: 1 }, { mode: 0o644, sync: false, indent: 2 });
    expect(await readFile(join(dir, 'status.json'), 'utf8')).toBe('{\n  "pid": 1\n}');
  });
});
