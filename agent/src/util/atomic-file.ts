import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces `path` with `data` so that a crash or a power cut at any moment leaves either
 * the old file or the new one, whole: the bytes go to a temporary file beside it, which is
 * fsynced, renamed over the target, and then the directory is fsynced so the rename itself
 * is on disk. A rename alone is atomic for running processes, but without the two fsyncs
 * the file system may write the rename before the data, and after a power cut node.json
 * is there and empty.
 *
 * The temporary file is created exclusively (O_EXCL, so never through a link planted in
 * its place) with `mode`, set again with chmod so the umask cannot change it (0600 for
 * anything secret). `sync: false` skips both fsyncs, for files rewritten every second whose
 * loss costs nothing (the status file): the rename still keeps them whole for readers.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: { mode?: number; sync?: boolean } = {},
): Promise<void> {
  const mode = opts.mode ?? 0o600;
  const sync = opts.sync ?? true;
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', mode);
  try {
    try {
      await fh.chmod(mode);
      await fh.writeFile(data);
      if (sync) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (sync) await syncDirectory(dirname(path));
}

/** Serializes first, so a value that cannot be written never touches the file. */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
  opts: { mode?: number; sync?: boolean; indent?: number } = {},
): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, opts.indent), opts);
}

/** fsyncs a directory, so renames and creations in it survive a power cut. Windows cannot open one: it journals them itself. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
