import { PieceCache } from './piece-cache.js';

describe('piece cache', () => {
  it('reads each piece once for all its blocks, within its budget', async () => {
    const reads: number[] = [];
    const cache = new PieceCache(
      async (p) => {
        reads.push(p);
        return Buffer.alloc(8 * 1024 * 1024, p);
      },
      8 * 1024 * 1024,
    );
    const blocks = await Promise.all([0, 1, 2, 3].map((i) => cache.block(5, i * 1024, 1024)));
    expect(reads).toEqual([5]);
    expect(blocks.every((b) => b.length === 1024 && b[0] === 5)).toBe(true);
    await cache.block(6, 0, 10);
    await cache.block(7, 0, 10);
    await cache.block(5, 0, 10);
    expect(reads).toEqual([5, 6, 7, 5]);
  });

  it('forgets failed reads and idle pieces', async () => {
    let fail = true;
    const cache = new PieceCache(async () => {
      if (fail) throw new Error('disk error');
      return Buffer.alloc(16);
    }, 16);
    await expect(cache.block(0, 0, 4)).rejects.toThrow('disk error');
    fail = false;
    expect((await cache.block(0, 0, 4)).length).toBe(4);
    cache.evictIdle(Date.now() + 60_000);
    fail = true;
    await expect(cache.block(0, 0, 4)).rejects.toThrow('disk error');
  });
});
