import { resolve, sep } from 'node:path';
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
  const base = resolve(root);
  const full = resolve(base, ...relative.split('/'));
  if (!full.startsWith(base + sep)) throw new UnsafePathError(relative, 'resolves outside the output directory');
  return full;
}
