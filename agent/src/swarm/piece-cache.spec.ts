import { CACHE_BUDGET_BYTES, PieceCache } from './piece-cache.js';

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
    const blocks = await Promise.all([0, 1, 2, 3].map((i) => cache.lease(5, i * 1024, 1024)));
    expect(reads).toEqual([5]);
    expect(blocks.every((b) => b.bytes.length === 1024 && b.bytes[0] === 5)).toBe(true);
    blocks.forEach((b) => b.release());
    for (const p of [6, 7, 5]) (await cache.lease(p, 0, 10)).release();
    expect(reads).toEqual([5, 6, 7, 5]);
  });

  it('forgets failed reads and idle pieces', async () => {
    let fail = true;
    const cache = new PieceCache(async () => {
      if (fail) throw new Error('disk error');
      return Buffer.alloc(16);
    }, 16);
    await expect(cache.lease(0, 0, 4)).rejects.toThrow('disk error');
    fail = false;
    const lease = await cache.lease(0, 0, 4);
    expect(lease.bytes.length).toBe(4);
    lease.release();
    cache.evictIdle(Date.now() + 60_000);
    fail = true;
    await expect(cache.lease(0, 0, 4)).rejects.toThrow('disk error');
  });

  it('recycles a piece buffer only once it is evicted and every lease on it is released', async () => {
    const recycled: Buffer[] = [];
    const piece = Buffer.alloc(16, 7);
    // Pieces as large as the budget: reading a second one evicts the first.
    const cache = new PieceCache(
      async (p) => (p === 0 ? piece : Buffer.alloc(16, p)),
      CACHE_BUDGET_BYTES,
      (b) => recycled.push(b),
    );
    const a = await cache.lease(0, 0, 8);
    const b = await cache.lease(0, 8, 8);
    (await cache.lease(1, 0, 8)).release();
    await Promise.resolve();
    expect(recycled).toEqual([]);
    a.release();
    a.release(); // a second release of the same lease counts once
    await Promise.resolve();
    expect(recycled).toEqual([]);
    b.release();
    await new Promise((r) => setImmediate(r));
    expect(recycled).toEqual([piece]);
  });

  it('serves an adopted piece without reading it, and recycles it when evicted', async () => {
    const reads: number[] = [];
    const recycled: Buffer[] = [];
    const cache = new PieceCache(
      async (p) => {
        reads.push(p);
        return Buffer.alloc(16, p);
      },
      CACHE_BUDGET_BYTES,
      (b) => recycled.push(b),
    );
    const verified = Buffer.alloc(16, 9);
    expect(cache.adopt(3, verified)).toBe(true);
    expect(cache.adopt(3, Buffer.alloc(16))).toBe(false);
    const lease = await cache.lease(3, 4, 4);
    expect([...lease.bytes]).toEqual([9, 9, 9, 9]);
    lease.release();
    expect(reads).toEqual([]);
    (await cache.lease(4, 0, 1)).release(); // evicts piece 3
    await new Promise((r) => setImmediate(r));
    expect(recycled).toContain(verified);
  });
});
