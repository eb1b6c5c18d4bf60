export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/**
 * Piece size for a resource of the given size: aim for about 1,000-2,000 pieces (enough
 * to spread a swarm, few enough to keep hash lists and have-maps small), never below
 * 256 KiB (per-piece overhead) nor above 16 MiB (a bad piece costs a re-fetch).
 */
export function choosePieceSize(totalSize: number): number {
  let size = 256 * 1024;
  while (size < 16 * 1024 * 1024 && totalSize / size > 2000) size *= 2;
  return size;
}

export function pieceCountFor(totalSize: number, pieceSize: number): number {
  return Math.ceil(totalSize / pieceSize);
}

/** Length of piece `index` (the last one may be short). */
export function pieceLength(index: number, totalSize: number, pieceSize: number): number {
  const start = index * pieceSize;
  return Math.min(pieceSize, totalSize - start);
}

/** A file's place in the concatenated byte stream of the resource. */
export interface FileSpan {
  path: string;
  size: number;
  /** Offset of the file's first byte in the resource stream. */
  offset: number;
}

export function fileSpans(files: ReadonlyArray<{ path: string; size: number }>): FileSpan[] {
  let offset = 0;
  return files.map((f) => {
    const span = { path: f.path, size: f.size, offset };
    offset += f.size;
    return span;
  });
}

/** Indexes of the pieces that hold any byte of the given spans (for partial downloads). */
export function piecesForSpans(spans: FileSpan[], pieceSize: number): Set<number> {
  const pieces = new Set<number>();
  for (const span of spans) {
    if (span.size === 0) continue;
    const first = Math.floor(span.offset / pieceSize);
    const last = Math.floor((span.offset + span.size - 1) / pieceSize);
    for (let i = first; i <= last; i++) pieces.add(i);
  }
  return pieces;
}
