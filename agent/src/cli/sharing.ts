import type { Transfer } from '../engine/index.js';
import type { ProgressMode } from './progress.js';
import type { Runtime } from './runtime.js';
import { formatBytes, formatDuration, LiveBlock, plural } from './terminal.js';

/** How often the sharing line is redrawn on a terminal, and a JSON status line is printed. */
const TTY_REFRESH_MS = 1_000;
const JSON_STATUS_MS = 5_000;

export type SharingEnd = 'seed-time' | 'signal' | 'revoked';

/**
 * What `get` and `publish` say once the content is complete: that it is verified, whether
 * and how long it is now shared (per --seed-time) and how to stop; then, on a terminal, one
 * line redrawn in place with what was uploaded to how many peers, or with --json a status
 * line every few seconds; and a last word when sharing ends.
 */
export class SharingReporter {
  private timer: NodeJS.Timeout | null = null;
  private readonly line = new LiveBlock();
  private endsAt: number | null = null;

  constructor(
    private readonly runtime: Runtime,
    private readonly transfer: Transfer,
    private readonly mode: ProgressMode,
    /** Where the content is, e.g. "in /home/me/downloads" (empty: not said). */
    private readonly where: string,
  ) {}

  /** Says the content is complete; with `seedMs` other than 0 also that it is shared, and starts the status line. */
  start(seedMs: number | null): void {
    const size = formatBytes(this.transfer.bytesWanted());
    const complete = `${this.transfer.name} (${size}) is complete and verified${this.where ? ` ${this.where}` : ''}`;
    const sharing =
      seedMs === 0
        ? ''
        : seedMs === null
          ? 'now sharing it with peers until you stop it: press Ctrl-C (or send SIGTERM); --seed-time sets a limit'
          : `now sharing it with peers for ${formatDuration(seedMs)} (--seed-time); press Ctrl-C to stop sooner`;
    this.endsAt = seedMs === null || seedMs === 0 ? null : Date.now() + seedMs;
    if (this.mode === 'json') {
      if (seedMs === 0) return;
      this.json('sharing', {
        message: `${complete}; ${sharing}`,
        seedTimeSeconds: seedMs === null ? null : seedMs / 1000,
        until: this.endsAt === null ? null : new Date(this.endsAt).toISOString(),
        stopWith: ['SIGINT', 'SIGTERM'],
      });
      this.timer = setInterval(() => this.json('sharing-status'), JSON_STATUS_MS);
      return;
    }
    process.stdout.write(`${complete}\n`);
    if (seedMs === 0) return;
    process.stdout.write(`${sharing}\n`);
    this.draw();
    this.timer = setInterval(() => this.draw(), TTY_REFRESH_MS);
  }

  /** Sharing ended (or was never started, with --seed-time 0): the last word on it. */
  stop(why: SharingEnd | null): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (why === null) return;
    const uploaded = this.transfer.stats.uploaded;
    if (this.mode === 'json') {
      this.json('sharing-stopped', { reason: why });
      return;
    }
    this.draw();
    this.line.finish();
    const reason =
      why === 'seed-time'
        ? 'the seed time is over'
        : why === 'signal'
          ? 'asked to stop'
          : 'this node was revoked by an admin';
    process.stdout.write(`stopped sharing (${reason}) after uploading ${formatBytes(uploaded)}\n`);
  }

  private draw(): void {
    const r = this.runtime.rates(this.transfer);
    const left = this.endsAt === null ? 'Ctrl-C stops' : `${formatDuration(this.endsAt - Date.now())} left`;
    this.line.draw([
      `sharing: ↑ ${formatBytes(this.transfer.stats.uploaded)} uploaded, ${formatBytes(r.up)}/s, ` +
        `${plural(this.transfer.peerCount(), 'peer')} | ${left}`,
    ]);
  }

  private json(event: string, extra: Record<string, unknown> = {}): void {
    const line = {
      event,
      resourceId: this.transfer.resourceId,
      ...extra,
      uploaded: this.transfer.stats.uploaded,
      uploadedToPeers: this.transfer.stats.uploadedToPeers,
      uploadRate: Math.round(this.runtime.rates(this.transfer).up),
      peers: this.transfer.peerCount(),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}
