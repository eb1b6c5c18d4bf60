import { parseRate, TokenBucket } from './token-bucket.js';

describe('rates', () => {
  it.each([
    ['500k', 512_000],
    ['10M', 10 * 1024 ** 2],
    ['1.5G', 1.5 * 1024 ** 3],
    ['2048', 2048],
    ['4MiB/s', 4 * 1024 ** 2],
  ])('parses %s', (text, bytes) => expect(parseRate(text)).toBe(bytes));

  it('treats 0 and unlimited as no limit, and refuses nonsense', () => {
    expect(parseRate('0')).toBeNull();
    expect(parseRate('unlimited')).toBeNull();
    expect(() => parseRate('fast')).toThrow('not a rate');
  });

  it('lets a burst through and asks to wait beyond it', () => {
    const bucket = new TokenBucket(1000, 1000);
    expect(bucket.charge(1000)).toBe(0);
    expect(bucket.charge(500)).toBeGreaterThan(400);
    expect(new TokenBucket(null).charge(1e12)).toBe(0);
  });
});
