import { fileSpans, pieceCountFor, pieceLength, type FileSpan } from '@shoal/contract';

/** A contiguous part of one file. */
export interface FileRange {
  fileIndex: number;
  path: string;
  fileOffset: number;
  length: number;
}

/** Where each piece's bytes live among the resource's files. */
export class ResourceLayout {
  readonly spans: FileSpan[];
  readonly pieceCount: number;

  constructor(
    readonly totalSize: number,
    readonly pieceSize: number,
    files: ReadonlyArray<{ path: string; size: number }>,
  ) {
    this.spans = fileSpans(files);
    this.pieceCount = pieceCountFor(totalSize, pieceSize);
  }

  pieceLength(piece: number): number {
    return pieceLength(piece, this.totalSize, this.pieceSize);
  }

  /** The file ranges covering `length` bytes at `offset` inside `piece`. */
  ranges(piece: number, offset = 0, length = this.pieceLength(piece) - offset): FileRange[] {
    const start = piece * this.pieceSize + offset;
    const end = start + length;
    const out: FileRange[] = [];
    // Binary search for the first span ending after `start`, so lookups stay cheap with many files.
    let lo = 0;
    let hi = this.spans.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = this.spans[mid];
      if (s.offset + s.size <= start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.spans.length; i++) {
      const s = this.spans[i];
      if (s.offset >= end) break;
      if (s.size === 0) continue;
      const from = Math.max(start, s.offset);
      const to = Math.min(end, s.offset + s.size);
      if (to > from) out.push({ fileIndex: i, path: s.path, fileOffset: from - s.offset, length: to - from });
    }
    return out;
  }

  /** Pieces whose bytes all lie in the given files (what can still be served once only those files are kept). */
  piecesWithin(fileIndexes: ReadonlySet<number>): Set<number> {
    const out = new Set<number>();
    for (let p = 0; p < this.pieceCount; p++) {
      if (this.ranges(p).every((r) => fileIndexes.has(r.fileIndex))) out.add(p);
    }
    return out;
  }
}
