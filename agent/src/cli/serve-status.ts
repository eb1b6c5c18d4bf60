import type { Transfer } from '../engine/index.js';
import type { NodeConfig } from './data-dir.js';
import type { Runtime } from './runtime.js';
import { formatBytes, LiveBlock, plural } from './terminal.js';

/** How `serve` reports: a screen redrawn in place, JSON lines, or plain lines on changes (a journal, a pipe). */
export type ServeOutput = 'screen' | 'json' | 'lines';

/** A terminal's screen is redrawn every 2 s (counters change per block; nobody reads faster). */
const SCREEN_REFRESH_MS = 2_000;
/** With --json a status line every 5 s, and one on every change. */
const JSON_STATUS_MS = 5_000;
const JSON_MAX_RESOURCES = 200;

/**
 * What `shoal serve` shows: on a terminal one screen (node, listening address, totals,
 * a row per resource) redrawn in place; with --json a status object per line; otherwise
 * a line at start and on each change (a resource added, completed, stopped), which a
 * journal keeps readable.
 */
export class ServeStatus {
  private timer: NodeJS.Timeout | null = null;
  private readonly screen = new LiveBlock();
  private readonly known = new Map<string, 'sharing' | 'downloading'>();
  private started = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly output: ServeOutput,
  ) {}

  start(): void {
    this.started = true;
    const c = this.runtime.config;
    const at = this.addresses();
    if (this.output === 'json') this.json('serving');
    else if (this.output === 'lines')
      this.say(`serving as node ${c.nodeId} (${c.name}, ${c.role}) of ${c.serverUrl}, listening on ${at}`);
    this.refresh();
    const every = this.output === 'screen' ? SCREEN_REFRESH_MS : JSON_STATUS_MS;
    this.timer = setInterval(() => this.refresh(true), every);
  }

  stop(why: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.output === 'screen') {
      this.draw();
      this.screen.finish();
      this.say(`stopped serving (${why})`);
    } else if (this.output === 'json') this.json('stopped', { reason: why });
    else this.say(`stopped serving (${why})`);
  }

  /** Picks up changes (new resources, completed downloads); JSON and screen also redraw on the timer. */
  refresh(timer = false): void {
    // What serve registers before start() is said by start()'s own refresh, after the first line.
    if (!this.started) return;
    let changed = false;
    const seen = new Set<string>();
    for (const t of this.runtime.engine.transfers()) {
      seen.add(t.resourceId);
      const state = t.isComplete() ? 'sharing' : 'downloading';
      if (this.known.get(t.resourceId) === state) continue;
      this.known.set(t.resourceId, state);
      changed = true;
      if (this.output === 'lines')
        this.say(
          state === 'sharing'
            ? `sharing ${t.name} (${t.resourceId}, ${formatBytes(t.bytesWanted())})`
            : `downloading ${t.name} (${t.resourceId}): ${formatBytes(t.bytesWanted() - t.bytesLeft())} of ${formatBytes(t.bytesWanted())}`,
        );
    }
    for (const id of [...this.known.keys()]) {
      if (seen.has(id)) continue;
      this.known.delete(id);
      changed = true;
      if (this.output === 'lines') this.say(`no longer serving ${id}`);
    }
    if (this.output === 'screen' && (changed || timer)) this.draw();
    if (this.output === 'json' && (changed || timer)) this.json('status');
  }

  private addresses(): string {
    return this.runtime.engine.addresses().join(', ') || '(no listen address)';
  }

  private totals(transfers: Transfer[]) {
    let down = 0;
    let up = 0;
    let peers = 0;
    for (const t of transfers) {
      const r = this.runtime.rates(t);
      down += r.down;
      up += r.up;
      peers += t.peerCount();
    }
    return { down, up, peers };
  }

  private draw(): void {
    const c: NodeConfig = this.runtime.config;
    const transfers = this.runtime.engine.transfers();
    const sum = this.totals(transfers);
    const rows = transfers.map((t) => {
      const r = this.runtime.rates(t);
      const state = t.isComplete()
        ? 'sharing'
        : `${Math.floor((100 * (t.bytesWanted() - t.bytesLeft())) / Math.max(1, t.bytesWanted()))}%`;
      return [
        t.name.slice(0, 28).padEnd(28),
        formatBytes(t.bytesWanted()).padStart(10),
        state.padStart(8),
        String(t.peerCount()).padStart(5),
        `${formatBytes(r.down)}/s`.padStart(12),
        `${formatBytes(r.up)}/s`.padStart(12),
        formatBytes(t.stats.uploaded).padStart(10),
      ].join(' ');
    });
    const height = Math.max(8, (process.stdout.rows || 24) - 1);
    const room = height - 5;
    const shown = rows.length > room ? [...rows.slice(0, room - 1), `… and ${rows.length - room + 1} more`] : rows;
    this.screen.draw([
      `shoal serve: node ${c.name} (${c.role}) of ${c.serverUrl}; Ctrl-C or SIGTERM stops`,
      `listening on ${this.addresses()}`,
      `${plural(transfers.length, 'resource')}, ${plural(sum.peers, 'peer connection')}, ↓ ${formatBytes(sum.down)}/s ↑ ${formatBytes(sum.up)}/s`,
      `${'RESOURCE'.padEnd(28)} ${'SIZE'.padStart(10)} ${'STATE'.padStart(8)} ${'PEERS'.padStart(5)} ${'↓'.padStart(12)} ${'↑'.padStart(12)} ${'UPLOADED'.padStart(10)}`,
      ...(shown.length ? shown : ['(nothing held yet: "shoal publish" or "shoal get" add resources here)']),
    ]);
  }

  private json(event: string, extra: Record<string, unknown> = {}): void {
    const c = this.runtime.config;
    const transfers = this.runtime.engine.transfers();
    const sum = this.totals(transfers);
    const line = {
      event,
      nodeId: c.nodeId,
      addresses: this.runtime.engine.addresses(),
      ...extra,
      peers: sum.peers,
      downloadRate: Math.round(sum.down),
      uploadRate: Math.round(sum.up),
      resourceCount: transfers.length,
      // Bounded: a line stays readable (and parseable by line-based tools) on a node holding thousands.
      resources: transfers.slice(0, JSON_MAX_RESOURCES).map((t) => ({
        resourceId: t.resourceId,
        name: t.name,
        complete: t.isComplete(),
        bytesWanted: t.bytesWanted(),
        bytesLeft: t.bytesLeft(),
        peers: t.peerCount(),
        uploaded: t.stats.uploaded,
        downloaded: t.stats.downloaded,
      })),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }

  private say(text: string): void {
    process.stdout.write(`${text}\n`);
  }
}
