/**
 * When to ask the server again. Thousands of agents that all lost the server at the same
 * moment must not all come back at the same moment: every retry waits a capped
 * exponential delay with full jitter (AWS's "Exponential Backoff And Jitter":
 * random(0, min(cap, base * 2^attempt))), steady intervals get a little jitter so a fleet
 * started together drifts apart, and a server that says Retry-After is believed.
 */

/** A number in [0, 1); injected by the specs so they check bounds, not luck. */
export type RandomSource = () => number;

/** The longest a Retry-After is obeyed: a buggy or hostile answer must not park an agent for good. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;
/** Extra wait on top of a Retry-After, as a fraction of it, so the agents it sent away do not return together. */
const RETRY_AFTER_JITTER = 0.2;

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
    private readonly random: RandomSource = Math.random,
  ) {
    if (!(baseMs > 0) || !(capMs >= baseMs)) throw new Error(`backoff needs 0 < base <= cap, got ${baseMs}, ${capMs}`);
  }

  /** Failures in a row so far. */
  get failures(): number {
    return this.attempt;
  }

  /**
   * The wait before retrying after one more failure: random(0, min(cap, base * 2^failures-before)),
   * or, when the server asked for `retryAfterMs` (429/503 Retry-After), at least that.
   */
  next(retryAfterMs: number | null = null): number {
    // The exponent stops at 52: past it the product is Infinity-bound and min() has long capped it.
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 52));
    this.attempt++;
    const backoff = Math.floor(this.random() * ceiling);
    return retryAfterMs === null ? backoff : Math.max(backoff, afterRetryAfter(retryAfterMs, this.random));
  }

  /** A success: the next failure starts from the base again. */
  reset(): void {
    this.attempt = 0;
  }
}

/** `ms` moved by up to ±`fraction` of itself, for steady intervals (heartbeats, announces). */
export function jittered(ms: number, fraction: number, random: RandomSource = Math.random): number {
  return Math.round(ms * (1 + fraction * (2 * random() - 1)));
}

/** A uniform wait in [0, ms): the first call of a daemon started together with many others. */
export function spread(ms: number, random: RandomSource = Math.random): number {
  return Math.floor(random() * Math.max(0, ms));
}

/**
 * The milliseconds a Retry-After header asks for (RFC 9110: delay-seconds or an
 * HTTP-date), or null when there is none or it makes no sense. Capped at MAX_RETRY_AFTER_MS.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    // Date.parse takes almost anything ("-5" is a year): only an HTTP-date, which ends in GMT.
    const at = /^[A-Za-z]{3},? .* GMT$/.test(text) ? Date.parse(text) : NaN;
    if (!Number.isFinite(at)) return null;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** The wait after a Retry-After of `ms`: at least that, plus up to a fifth more so the fleet spreads out. */
function afterRetryAfter(ms: number, random: RandomSource = Math.random): number {
  return Math.round(ms + random() * ms * RETRY_AFTER_JITTER);
}

/** The Retry-After of an answer that means "not now" (429 too many requests, 503 unavailable), else null. */
export function retryAfterOf(status: number, headers: Record<string, string | string[] | undefined>): number | null {
  return status === 429 || status === 503 ? parseRetryAfter(headers['retry-after']) : null;
}
