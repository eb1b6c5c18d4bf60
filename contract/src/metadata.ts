import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LIMITS } from './limits.js';
import { unsafePathReason } from './paths.js';
import { isPowerOfTwo, pieceCountFor } from './pieces.js';

/** Lower-case hex SHA-256. */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters (SHA-256)');

export const FileEntrySchema = z.object({
  path: z.string().superRefine((p, ctx) => {
    const reason = unsafePathReason(p);
    if (reason) ctx.addIssue({ code: 'custom', message: reason });
  }),
  size: z.number().int().min(0).max(LIMITS.maxTotalSize),
});
export type FileEntry = z.infer<typeof FileEntrySchema>;

/** What an agent learns by hashing content and uploads on publish: the splitting metadata. */
export const SplittingMetadataSchema = z.object({
  totalSize: z.number().int().min(0).max(LIMITS.maxTotalSize),
  pieceSize: z
    .number()
    .int()
    .min(LIMITS.minPieceSize)
    .max(LIMITS.maxPieceSize)
    .refine(isPowerOfTwo, 'must be a power of two'),
  files: z.array(FileEntrySchema).min(1).max(LIMITS.maxFiles),
  pieceHashes: z.array(Sha256Hex).max(LIMITS.maxPieces),
});
export type SplittingMetadata = z.infer<typeof SplittingMetadataSchema>;

/**
 * Consistency rules a schema cannot express: sizes add up, the piece count matches,
 * no path is given twice and no file sits "inside" another file. Returns the offending
 * field and why, or null.
 */
export function metadataInconsistency(meta: SplittingMetadata): { field: string; message: string } | null {
  const sum = meta.files.reduce((acc, f) => acc + f.size, 0);
  if (sum !== meta.totalSize) {
    return { field: 'totalSize', message: `must equal the sum of file sizes (${sum})` };
  }
  const expected = pieceCountFor(meta.totalSize, meta.pieceSize);
  if (meta.pieceHashes.length !== expected) {
    return {
      field: 'pieceHashes',
      message: `must hold ${expected} hashes for ${meta.totalSize} bytes in pieces of ${meta.pieceSize}`,
    };
  }
  const seen = new Set<string>();
  for (const [i, f] of meta.files.entries()) {
    if (seen.has(f.path)) return { field: `files.${i}.path`, message: `duplicate path "${f.path}"` };
    seen.add(f.path);
  }
  for (const [i, f] of meta.files.entries()) {
    const parts = f.path.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      if (seen.has(parts.slice(0, depth).join('/'))) {
        return { field: `files.${i}.path`, message: `"${f.path}" lies under a path that is a file` };
      }
    }
  }
  return null;
}

/**
 * The content id: SHA-256 over a canonical encoding of the splitting metadata. Names and
 * descriptions are left out on purpose, so identical content (same files, same bytes,
 * same piece size) always gets the same id wherever and by whom it is published.
 */
export function computeContentId(meta: Pick<SplittingMetadata, 'pieceSize' | 'files' | 'pieceHashes'>): string {
  const h = createHash('sha256');
  h.update(`shoal-content-v1\n${meta.pieceSize}\n${meta.files.length}\n`);
  for (const f of meta.files) h.update(`${JSON.stringify(f.path)}\t${f.size}\n`);
  for (const hash of meta.pieceHashes) h.update(hash);
  return h.digest('hex');
}
