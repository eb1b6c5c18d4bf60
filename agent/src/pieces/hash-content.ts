import { join } from 'node:path';
import { HashPool } from './hash-pool.js';
import { ResourceLayout } from './resource-layout.js';

/** Splits and hashes the content on worker threads (every core), pieces in parallel, read straight from disk. */
export async function hashContent(
  root: string,
  files: { path: string; size: number }[],
  pieceSize: number,
  onPiece: (done: number, count: number) => void = () => undefined,
): Promise<string[]> {
  const totalSize = files.reduce((a, f) => a + f.size, 0);
  const layout = new ResourceLayout(totalSize, pieceSize, files);
  const pool = new HashPool();
  try {
    const hashes = new Array<string>(layout.pieceCount);
    let next = 0;
    let done = 0;
    const workerLoop = async () => {
      while (next < layout.pieceCount) {
        const p = next++;
        hashes[p] = await pool.hashRanges(
          layout
            .ranges(p)
            .map((r) => ({ path: join(root, ...r.path.split('/')), offset: r.fileOffset, length: r.length })),
        );
        onPiece(++done, layout.pieceCount);
      }
    };
    // A few more tasks in flight than workers, so no worker waits for the main thread.
    await Promise.all(Array.from({ length: 8 }, workerLoop));
    return hashes;
  } finally {
    await pool.destroy();
  }
}
