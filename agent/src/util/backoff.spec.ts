import { Backoff, jittered, MAX_RETRY_AFTER_MS, parseRetryAfter, retryAfterOf, spread } from './backoff.js';

/** A random source that returns the given values in turn (then the last one). */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)];
}

const almostOne = 1 - Number.EPSILON;

describe('Backoff', () => {
  it('waits between 0 and base * 2^failures, growing up to the cap', () => {
    const highest = new Backoff(1000, 30_000, () => almostOne);
    expect([1, 2, 3, 4, 5, 6, 7].map(() => highest.next())).toEqual([999, 1999, 3999, 7999, 15_999, 29_999, 29_999]);
    const lowest = new Backoff(1000, 30_000, () => 0);
    expect([1, 2, 3].map(() => lowest.next())).toEqual([0, 0, 0]);
  });

  it('is spread over the whole range (full jitter), not around a midpoint', () => {
    const b = new Backoff(1000, 60_000, sequence(0.25, 0.5, 0.75));
    expect([b.next(), b.next(), b.next()]).toEqual([250, 1000, 3000]);
  });

  it('starts from the base again after a success', () => {
    const b = new Backoff(1000, 60_000, () => almostOne);
    for (let i = 0; i < 5; i++) b.next();
    expect(b.failures).toBe(5);
    b.reset();
    expect(b.failures).toBe(0);
    expect(b.next()).toBe(999);
  });

  it('never grows past the cap however long the outage lasts', () => {
    const b = new Backoff(1000, 120_000, () => almostOne);
    for (let i = 0; i < 2000; i++) expect(b.next()).toBeLessThan(120_000);
  });

  it('waits at least what a Retry-After asks, plus at most a fifth more', () => {
    const low = new Backoff(1000, 60_000, () => 0);
    expect(low.next(7000)).toBe(7000);
    const high = new Backoff(1000, 60_000, () => almostOne);
    expect(high.next(7000)).toBeLessThanOrEqual(8400);
    expect(high.next(7000)).toBeGreaterThanOrEqual(7000);
    // A Retry-After shorter than the backoff does not shorten it.
    const long = new Backoff(1000, 60_000, () => almostOne);
    for (let i = 0; i < 6; i++) long.next();
    expect(long.next(1000)).toBe(59_999);
  });

  it('refuses a nonsensical configuration', () => {
    expect(() => new Backoff(0, 10)).toThrow('0 < base <= cap');
    expect(() => new Backoff(10, 5)).toThrow('0 < base <= cap');
  });
});

describe('jittered and spread', () => {
  it('moves an interval by at most the fraction either way', () => {
    expect(jittered(30_000, 0.1, () => 0)).toBe(27_000);
    expect(jittered(30_000, 0.1, () => 0.5)).toBe(30_000);
    expect(jittered(30_000, 0.1, () => almostOne)).toBe(33_000);
  });

  it('spreads a first call over [0, window)', () => {
    expect(spread(5000, () => 0)).toBe(0);
    expect(spread(5000, () => almostOne)).toBe(4999);
    expect(spread(-1, () => 0.5)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');

  it('reads delay-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Fri, 04 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 04 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(['3', '9'], now)).toBe(3000);
  });

  it('caps what it obeys and ignores what is not a Retry-After', () => {
    expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Fri, 04 Dec 2099 12:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('99999999999999999999', now)).toBe(MAX_RETRY_AFTER_MS);
    for (const bad of [undefined, '', '-5', '1.5', 'soon', 'Fri, 99 Foo 2026 GMT'])
      expect(parseRetryAfter(bad, now)).toBeNull();
  });

  it('is only believed on 429 and 503', () => {
    expect(retryAfterOf(429, { 'retry-after': '4' })).toBe(4000);
    expect(retryAfterOf(503, { 'retry-after': '4' })).toBe(4000);
    expect(retryAfterOf(500, { 'retry-after': '4' })).toBeNull();
    expect(retryAfterOf(429, {})).toBeNull();
  });
});
