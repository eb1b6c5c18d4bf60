/**
 * Waits with their own bound and a message naming what was awaited, so a suite that hangs
 * fails with "seed online not within 20 s" and the state it was in, not with jest's bare
 * "Exceeded timeout". Each bound stays below the test's own timeout for that reason.
 */

class WaitTimeout extends Error {
  constructor(what: string, ms: number, detail?: string) {
    super(`${what}: not within ${ms / 1000} s${detail ? `\n${detail}` : ''}`);
    this.name = 'WaitTimeout';
  }
}

/**
 * Polls `probe` until it returns something other than undefined, null or false, and
 * returns that. `detail` describes the last state seen, for the error.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  opts: { timeoutMs: number; intervalMs?: number; detail?: () => string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline) throw new WaitTimeout(what, opts.timeoutMs, opts.detail?.());
    await sleep(opts.intervalMs ?? 100);
  }
}

/** `promise`, or a WaitTimeout once `timeoutMs` passed; `onTimeout` runs first (e.g. to kill a process). */
export async function within<T>(
  what: string,
  promise: Promise<T>,
  timeoutMs: number,
  onTimeout?: () => string | void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeout(what, timeoutMs, onTimeout?.() ?? undefined)), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
