import cliProgress from 'cli-progress';
import type { Transfer } from '../engine/index.js';
import type { Runtime } from './runtime.js';
import { formatBytes, formatDuration, plural } from './terminal.js';

export type ProgressMode = 'bar' | 'json';

/**
 * Shows a transfer's progress: a bar (bytes, rate, ETA, peers) on a terminal, otherwise
 * one JSON object per line per second on stdout, which scripts and tests can parse.
 */
export class ProgressReporter {
  private timer: NodeJS.Timeout | null = null;
  private bar: cliProgress.SingleBar | null = null;

  constructor(
    private readonly runtime: Runtime,
    private readonly transfer: Transfer,
    private readonly mode: ProgressMode,
  ) {}

  start(): void {
    const total = this.transfer.bytesWanted();
    // Content already complete (a publish, or a download verified in place) gets no bar.
    if (this.mode === 'bar' && !this.transfer.isComplete()) {
      this.bar = new cliProgress.SingleBar(
        {
          format: ' {bar} {percentage}% | {done} / {size} | ↓ {down}/s ↑ {up}/s | {etaText} | {peersText}',
          hideCursor: true,
          // The bar goes when the transfer ends: a bar left at "100% ↓ 0 B/s ETA 0s" looked
          // frozen. What follows (complete and sharing, or why it stopped) is printed below.
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(Math.max(total, 1), 0, this.payload());
    }
    this.tick();
    this.timer = setInterval(() => this.tick(), 1000);
  }

  stop(event: 'complete' | 'stopped' | 'failed'): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.tick(event);
    this.bar?.stop();
    this.bar = null;
  }

  private payload() {
    const r = this.runtime.rates(this.transfer);
    const total = this.transfer.bytesWanted();
    const done = total - this.transfer.bytesLeft();
    return {
      done: formatBytes(done),
      size: formatBytes(total),
      down: formatBytes(r.down),
      up: formatBytes(r.up),
      peers: this.transfer.peerCount(),
      peersText: plural(this.transfer.peerCount(), 'peer'),
      // From the current rate; cli-progress's own ETA said "NFs" while nothing had arrived yet.
      etaText: r.down > 0 ? `ETA ${formatDuration((1000 * (total - done)) / r.down)}` : 'ETA –',
      doneBytes: done,
      totalBytes: total,
      rates: r,
    };
  }

  private tick(event = 'progress'): void {
    const p = this.payload();
    if (this.mode === 'bar') {
      this.bar?.setTotal(Math.max(p.totalBytes, 1));
      this.bar?.update(p.totalBytes === 0 ? 1 : p.doneBytes, p);
      return;
    }
    const s = this.transfer.stats;
    const line = {
      event,
      resourceId: this.transfer.resourceId,
      bytesDone: p.doneBytes,
      bytesTotal: p.totalBytes,
      downloadRate: Math.round(p.rates.down),
      uploadRate: Math.round(p.rates.up),
      peers: p.peers,
      downloaded: s.downloaded,
      uploaded: s.uploaded,
      downloadedFromPeers: s.downloadedFromPeers,
      downloadedFromSeeds: s.downloadedFromSeeds,
      uploadedToPeers: s.uploadedToPeers,
      piecesFailed: s.piecesFailed,
      // From the start of this process, so it includes start-up, login and the manifest.
      firstPieceMs: s.firstPieceAt === null ? null : Math.round(s.firstPieceAt - performance.timeOrigin),
      longestStallMs: s.longestStallMs,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}
