import { LIMITS } from './limits.js';

/** The directory under an output folder where the agent keeps unfinished downloads. */
export const PARTIAL_DIR = '.shoal-partial';

/** Device names Windows opens instead of a file, with any extension and in any case. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

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
  if (/[\u0000-\u001f\u007f-\u009f]/.test(path)) return 'must not contain control characters';
  // Bidi controls make a name display as something else ("txt.exe" shown as "exe.txt").
  if (/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(path)) {
    return 'must not contain bidirectional control characters';
  }
  if (/[<>:"|?*]/.test(path)) return 'must not contain any of < > : " | ? *';
  const segments = path.split('/');
  // The agent keeps its unfinished downloads there: a resource must not write into it.
  if (segments[0] === PARTIAL_DIR) return `must not start with ${PARTIAL_DIR}`;
  for (const segment of segments) {
    if (segment === '') return 'must not contain empty segments';
    if (segment === '.' || segment === '..') return 'must not contain "." or ".." segments';
    // Windows strips these when opening, so "a." and "a" would be one file there.
    if (/[. ]$/.test(segment)) return 'segments must not end with "." or " "';
    if (WINDOWS_RESERVED.test(segment)) return `must not use the Windows device name ${JSON.stringify(segment)}`;
    if (segment.length > LIMITS.maxPathSegmentLength) {
      return `segments must be at most ${LIMITS.maxPathSegmentLength} characters`;
    }
  }
  return null;
}

/** A single file name (an upload's name inside its resource): no separators, no control characters, not "." or "..". */
export const PLAIN_FILE_NAME = /^(?!\.{1,2}$)[^/\\\u0000-\u001f:]{1,255}$/;
