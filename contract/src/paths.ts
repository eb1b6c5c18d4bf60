import { LIMITS } from './limits.js';

/**
 * Why a relative path inside a resource is unsafe, or null when it is fine.
 * Paths use '/' as separator on every platform. The rules keep every file the agent
 * writes inside its output directory on Linux, macOS and Windows alike.
 */
export function unsafePathReason(path: string): string | null {
  if (typeof path !== 'string' || path.length === 0) return 'must be a non-empty string';
  if (path.length > LIMITS.maxPathLength) return `must be at most ${LIMITS.maxPathLength} characters`;
  if (path.includes('\0')) return 'must not contain NUL';
  if (path.includes('\\')) return 'must use "/" as separator, not "\\"';
  if (path.startsWith('/')) return 'must be relative, not absolute';
  if (/^[a-zA-Z]:/.test(path)) return 'must not start with a drive letter';
  if (/[\u0000-\u001f]/.test(path)) return 'must not contain control characters';
  for (const segment of path.split('/')) {
    if (segment === '') return 'must not contain empty segments';
    if (segment === '.' || segment === '..') return 'must not contain "." or ".." segments';
    if (segment.length > LIMITS.maxPathSegmentLength) {
      return `segments must be at most ${LIMITS.maxPathSegmentLength} characters`;
    }
  }
  return null;
}
