/** Limits on unauthenticated dialers; a seed's capacity for honest ones must survive a flood. */
export interface HandshakeGateLimits {
  /** Handshakes run at once, over all dialers. */
  running: number;
  /** Handshakes one source address may run at once. */
  runningPerAddress: number;
  /** Running plus waiting, per source address: beyond it a dialer is dropped. */
  perAddress: number;
  /** Dialers waiting for a free handshake slot, over all addresses. */
  queued: number;
  /** A dialer that waited this long without getting a slot is dropped. */
  queueWaitMs: number;
}

export const DEFAULT_HANDSHAKE_GATE_LIMITS: HandshakeGateLimits = {
  running: 64,
  runningPerAddress: 8,
  perAddress: 32,
  queued: 256,
  queueWaitMs: 10_000,
};

interface Waiting {
  source: string;
  start: () => void;
  drop: (reason: string) => void;
  timer: NodeJS.Timeout;
}

/**
 * Decides when an accepted connection may start its handshake. A silent or slow dialer holds
 * a handshake slot until its first-hello timeout; without a gate, 64 of them starved every
 * honest downloader. Here one address can hold only a few slots, and a dialer that finds no
 * free slot waits in line (first come, first served, among addresses still under their share)
 * instead of being dropped, so an honest dialer is served once the silent ones time out.
 */
export class HandshakeGate {
  private runningTotal = 0;
  private readonly runningBy = new Map<string, number>();
  private readonly waitingBy = new Map<string, number>();
  private readonly queue: Waiting[] = [];

  constructor(private readonly limits: HandshakeGateLimits = DEFAULT_HANDSHAKE_GATE_LIMITS) {}

  /**
   * Calls `start` when the dialer from `address` may run its handshake (at once, or after
   * waiting), or `drop` with the reason if it may not. `start` receives `done`, which must be
   * called exactly once when the handshake ends, whatever its outcome. The function returned
   * takes a dialer that hung up while waiting out of line.
   */
  admit(address: string | undefined, start: (done: () => void) => void, drop: (reason: string) => void): () => void {
    const source = sourceOf(address);
    const held = (this.runningBy.get(source) ?? 0) + (this.waitingBy.get(source) ?? 0);
    if (held >= this.limits.perAddress) {
      drop(`too many connections from ${source}`);
      return () => undefined;
    }
    if (this.mayRun(source)) {
      this.run(source, start);
      return () => undefined;
    }
    if (this.queue.length >= this.limits.queued) {
      drop('too many dialers waiting');
      return () => undefined;
    }
    const waiting: Waiting = {
      source,
      start: () => this.run(source, start),
      drop,
      timer: setTimeout(() => {
        if (this.unqueue(waiting)) drop('waited too long for a handshake slot');
      }, this.limits.queueWaitMs),
    };
    waiting.timer.unref();
    this.queue.push(waiting);
    bump(this.waitingBy, source, 1);
    return () => void this.unqueue(waiting);
  }

  /** Handshakes running now, and dialers waiting for one. */
  counts(): { running: number; queued: number } {
    return { running: this.runningTotal, queued: this.queue.length };
  }

  /** Drops every waiting dialer (the listener is closing). */
  clear(): void {
    for (const w of this.queue.splice(0)) {
      clearTimeout(w.timer);
      w.drop('shutting down');
    }
    this.waitingBy.clear();
  }

  private mayRun(source: string): boolean {
    return this.runningTotal < this.limits.running && (this.runningBy.get(source) ?? 0) < this.limits.runningPerAddress;
  }

  private run(source: string, start: (done: () => void) => void): void {
    this.runningTotal++;
    bump(this.runningBy, source, 1);
    let finished = false;
    start(() => {
      if (finished) return;
      finished = true;
      this.runningTotal--;
      bump(this.runningBy, source, -1);
      this.startWaiting();
    });
  }

  /** Starts the oldest waiting dialers whose address is under its share, while slots are free. */
  private startWaiting(): void {
    for (let i = 0; i < this.queue.length && this.runningTotal < this.limits.running;) {
      const w = this.queue[i];
      if (!this.mayRun(w.source)) {
        i++;
        continue;
      }
      this.unqueue(w);
      w.start();
    }
  }

  private unqueue(w: Waiting): boolean {
    const at = this.queue.indexOf(w);
    if (at < 0) return false;
    this.queue.splice(at, 1);
    clearTimeout(w.timer);
    bump(this.waitingBy, w.source, -1);
    return true;
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

/**
 * The unit a share is counted by: an IPv4 address, or an IPv6 /64 (one host is routinely
 * given a whole /64, so counting single IPv6 addresses would give it billions of shares).
 */
export function sourceOf(address: string | undefined): string {
  if (!address) return 'unknown';
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return v4[1];
  if (!address.includes(':')) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head, tail] = address.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}
