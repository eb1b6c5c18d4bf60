/**
 * A byte-rate limit shared by every connection of the agent. `take` resolves once the
 * bytes fit in the budget; with no limit it resolves at once. Burst is one second's worth
 * (at least one block), so a single block is never stuck behind the bucket size.
 */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private readonly burst: number;

  constructor(
    readonly bytesPerSecond: number | null,
    minBurst = 256 * 1024,
  ) {
    this.burst = bytesPerSecond ? Math.max(bytesPerSecond, minBurst) : Infinity;
    this.tokens = this.burst;
  }

  /** Milliseconds to wait before `bytes` are allowed; the bytes are charged now. */
  charge(bytes: number): number {
    if (!this.bytesPerSecond) return 0;
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond);
    this.last = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.bytesPerSecond) * 1000);
  }

  async take(bytes: number): Promise<void> {
    const wait = this.charge(bytes);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

/** Parses "500k", "10M", "1.5G", "1048576" (bytes per second, binary multiples); null for "0"/empty/"unlimited". */
export function parseRate(text: string | undefined): number | null {
  if (text === undefined || text === '' || text === '0' || text === 'unlimited') return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:i?B)?(?:\/s)?$/.exec(text.trim());
  if (!m) throw new Error(`not a rate: "${text}" (use e.g. 500k, 10M, 1G)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * mult);
}
