import { lstat, mkdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { unsafePathReason } from '@shoal/contract';

export class UnsafePathError extends Error {
  constructor(path: string, reason: string) {
    super(`refusing path ${JSON.stringify(path)}: ${reason}`);
    this.name = 'UnsafePathError';
  }
}

/**
 * The absolute location of a resource path under `root`. Checked twice: by the contract's
 * rules (no absolute, "..", drive letters, ...) and by resolving, so nothing is ever
 * written outside the output directory even if the rules missed a case.
 */
export function resolveInside(root: string, relative: string): string {
  const reason = unsafePathReason(relative);
  if (reason) throw new UnsafePathError(relative, reason);
  return resolveContained(root, relative);
}

/**
 * Only the containment check: for the agent's own paths under the output directory
 * (`.shoal-partial/...`), which the contract's rules reserve and so refuse for resources.
 */
export function resolveContained(root: string, relative: string): string {
  const base = resolve(root);
  const full = resolve(base, ...relative.split('/'));
  if (!full.startsWith(base + sep)) throw new UnsafePathError(relative, 'resolves outside the output directory');
  return full;
}

/**
 * Throws when any existing component of `relative` below `root` is a symbolic link. Shoal
 * never creates links, so one here was planted or left by something else; following it
 * would read or write outside the output directory. Missing components are fine.
 */
export async function refuseSymlinks(root: string, relative: string): Promise<void> {
  const full = resolveContained(root, relative);
  let at = resolve(root);
  for (const part of full.slice(at.length + 1).split(sep)) {
    at = join(at, part);
    const st = await lstat(at).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (!st) return;
    if (st.isSymbolicLink()) throw new UnsafePathError(relative, `${at} is a symbolic link`);
  }
}

/**
 * Creates directory `relative` under `root` one component at a time, refusing any component
 * that exists as a symbolic link or as something other than a directory, so a planted link
 * cannot redirect the files created below it.
 */
export async function mkdirInside(root: string, relative: string): Promise<string> {
  const full = resolveContained(root, relative);
  let at = resolve(root);
  for (const part of full.slice(at.length + 1).split(sep)) {
    at = join(at, part);
    await mkdir(at).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    const st = await lstat(at);
    if (st.isSymbolicLink()) throw new UnsafePathError(relative, `${at} is a symbolic link`);
    if (!st.isDirectory()) throw new UnsafePathError(relative, `${at} is not a directory`);
  }
  return full;
}

/** Characters a folder name may not hold on some platform, or that would disguise it. */
const UNSAFE_NAME_CHARS = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A single folder name made from an untrusted resource name: unsafe characters become
 * "_", trailing dots and spaces go, and a name still refused by the contract's rules (or
 * hidden, or empty) gives way to `fallback` (the resource id).
 */
export function folderNameFor(name: string, fallback: string): string {
  const cleaned = name
    .replace(UNSAFE_NAME_CHARS, '_')
    .slice(0, 100)
    .trim()
    .replace(/[. ]+$/, '');
  if (!cleaned || cleaned.startsWith('.') || unsafePathReason(cleaned) !== null) return fallback;
  return cleaned;
}
