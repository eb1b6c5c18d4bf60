import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What identifies one state of a file's bytes without reading them: the same device and
 * inode, size, modification and status-change times (to the nanosecond). Any write, truncate,
 * `touch -d`, chmod or rename onto the path changes at least one; only a clock set backwards by
 * root or a write to the block device underneath goes unseen (docs/security.md).
 */
export interface FileFingerprint {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

/**
 * A fingerprint taken this close to the file's last change may miss a change in the same
 * timestamp tick (file systems keep times to a tick, some to a second or two): such a state
 * is never trusted. Git calls these "racily clean" entries and re-checks them the same way.
 */
const RACY_MARGIN_NS = 2_000_000_000n;

export function fingerprintOf(st: BigIntStats): FileFingerprint {
  return {
    dev: st.dev.toString(),
    ino: st.ino.toString(),
    size: st.size.toString(),
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
  };
}

export function sameFingerprint(a: FileFingerprint, b: FileFingerprint): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** Fingerprints of regular files under `root` (null for one that is missing or not a plain file). */
async function fingerprintFiles(root: string, files: readonly { path: string }[]): Promise<(FileFingerprint | null)[]> {
  return Promise.all(
    files.map(async (f) => {
      const st = await lstat(join(root, ...f.path.split('/')), { bigint: true }).catch(() => null);
      return st?.isFile() ? fingerprintOf(st) : null;
    }),
  );
}

/**
 * Runs `hash` (which reads every file in full) between two fingerprints of the files, and
 * returns, by resource path, the files whose bytes were provably the ones hashed: unchanged
 * from before the hash to after it, and last changed long enough before it (not racy).
 */
export async function hashWithFingerprints<T>(
  root: string,
  files: readonly { path: string }[],
  hash: () => Promise<T>,
  now: () => number = Date.now,
): Promise<{ result: T; unchanged: Record<string, FileFingerprint> }> {
  const before = await fingerprintFiles(root, files);
  const result = await hash();
  const after = await fingerprintFiles(root, files);
  const nowNs = BigInt(now()) * 1_000_000n;
  const unchanged: Record<string, FileFingerprint> = {};
  files.forEach((f, i) => {
    const a = before[i];
    const b = after[i];
    if (a && b && sameFingerprint(a, b) && nowNs - BigInt(b.ctimeNs) >= RACY_MARGIN_NS) unchanged[f.path] = b;
  });
  return { result, unchanged };
}
