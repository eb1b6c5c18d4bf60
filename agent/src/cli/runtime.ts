import { readFile } from 'node:fs/promises';
import { HEARTBEAT_INTERVAL_SECONDS, type HeartbeatRequest, type HeartbeatResponse } from '@shoal/contract';
import { Engine, NodeKey, type Logger, type Transfer } from '../engine/index.js';
import { Backoff, jittered, spread } from '../util/backoff.js';
import { callApi } from './api-client.js';
import type { AgentStatus, DataDir, NodeConfig } from './data-dir.js';
import { CliError, EXIT } from './exit-codes.js';
import { DownloadRequests } from './download-requests.js';
import { PreheatTasks } from './preheat-tasks.js';

/** A failed heartbeat is retried after random(0, min(2 min, 2 s * 2^failures)): util/backoff.ts. */
const HEARTBEAT_RETRY_BASE_MS = 2_000;
const HEARTBEAT_RETRY_CAP_MS = 120_000;
/** A steady heartbeat comes up to this fraction of its interval early or late, so agents started together drift apart. */
const HEARTBEAT_JITTER = 0.1;
/** The longest `serve` holds back its first heartbeat (never more than one interval). */
const FIRST_HEARTBEAT_SPREAD_MS = 5_000;
/** The server's interval is obeyed down to this; a preheat or download request in progress heartbeats this often to show progress. */
const MIN_HEARTBEAT_SECONDS = 5;
/**
 * And up to this: an interval the server (or whoever answers in its place) names beyond it
 * would let the credential lapse, and one past setTimeout's range would fire at once, in a loop.
 */
const MAX_HEARTBEAT_SECONDS = 300;

export interface Limits {
  uploadLimit: number | null;
  downloadLimit: number | null;
  maxPeers: number | undefined;
}

export function parseHostPort(text: string): { host: string; port: number } {
  const i = text.lastIndexOf(':');
  const port = Number(text.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`not host:port: "${text}"`, EXIT.usage);
  return { host: text.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

/**
 * A running agent for one CLI command: the engine plus what ties it to the server and the
 * data directory: heartbeats (credential renewal, revocations) and a
 * status file for `shoal status`.
 */
/**
 * How long a stopping agent waits for the server to take its goodbye: Ctrl-C must not
 * hang on a server that is away (the node then goes offline by missed heartbeats).
 */
const GOODBYE_TIMEOUT_MS = 3_000;

export class Runtime {
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatsStarted = false;
  private statusTimer: NodeJS.Timeout | null = null;
  private lastCounters = new Map<
    string,
    { at: number; downloaded: number; uploaded: number; down: number; up: number }
  >();
  private readonly heartbeatBackoff = new Backoff(HEARTBEAT_RETRY_BASE_MS, HEARTBEAT_RETRY_CAP_MS);
  private revokedNow: () => void = () => undefined;
  private isRevoked = false;
  /** Resolves once the server says this node is revoked (a heartbeat answer, or `markRevoked`). */
  readonly revoked = new Promise<void>((resolve) => (this.revokedNow = resolve));
  /** Only `shoal serve` takes preheat tasks and download requests: a one-off get or publish would drop them on exit. */
  private readonly preheat: PreheatTasks | null;
  private readonly downloads: DownloadRequests | null;

  private constructor(
    readonly dataDir: DataDir,
    public config: NodeConfig,
    readonly engine: Engine,
    private readonly key: NodeKey,
    private readonly log: Logger,
    private readonly command: string,
    /** Whether an agent ran on this data dir before (it left a status file): not a node enrolled just now. */
    private readonly ranBefore: boolean,
  ) {
    this.preheat =
      command === 'serve'
        ? new PreheatTasks(
            dataDir,
            engine,
            () => ({ url: this.config.serverUrl, node: { credential: this.config.credential, key } }),
            log,
          )
        : null;
    this.downloads =
      command === 'serve'
        ? new DownloadRequests(
            dataDir,
            engine,
            () => ({ url: this.config.serverUrl, node: { credential: this.config.credential, key } }),
            log,
          )
        : null;
  }

  static async start(dataDir: DataDir, limits: Limits, log: Logger, command: string): Promise<Runtime> {
    const config = await dataDir.requireNode();
    const key = NodeKey.fromPem(await readFile(dataDir.path('node-key.pem'), 'utf8'));
    const tls = {
      key: await readFile(dataDir.path('tls', 'key.pem'), 'utf8'),
      cert: await readFile(dataDir.path('tls', 'cert.pem'), 'utf8'),
    };
    await dataDir.ensure();
    // Read before this runtime writes its own status file.
    const ranBefore = (await dataDir.status().catch(() => null)) !== null;
    let runtime: Runtime | null = null;
    const engine = await Engine.start({
      nodeId: config.nodeId,
      credential: () => runtime?.config.credential ?? config.credential,
      key,
      tls,
      serverUrl: config.serverUrl,
      trackerUrl: config.trackerUrl,
      stateDir: dataDir.path('state'),
      downloadStateDir: dataDir.path('downloads'),
      listen: parseHostPort(config.listen),
      advertise: config.advertise,
      uploadLimit: limits.uploadLimit,
      downloadLimit: limits.downloadLimit,
      maxPeers: limits.maxPeers,
      log,
    }).catch((err: Error) => {
      throw new CliError(err.message, EXIT.serverUnreachable);
    });
    runtime = new Runtime(dataDir, config, engine, key, log, command, ranBefore);
    runtime.statusTimer = setInterval(() => void runtime!.writeStatus(), 1000);
    runtime.statusTimer.unref();
    return runtime;
  }

  /**
   * Starts heartbeating. Callers do so once their transfers are registered: the server
   * replaces a node's holdings with each heartbeat's list, so a first heartbeat sent before
   * `serve` had registered what it provides erased the holding its own announce had just
   * recorded, and the seed counted as offline until the next heartbeat 30 s later.
   *
   * `serve` is what a fleet restarts all at once (a reboot, an upgrade rolled out by a
   * script), so it spreads its first heartbeat over a few seconds. Not when the node has
   * never run an agent (enrolled just now: its first heartbeat is what shows it online),
   * and not for `get`/`publish`, whose own server calls went out at once anyway and which
   * may be done within those seconds.
   */
  startHeartbeats(): void {
    this.heartbeatsStarted = true;
    if (this.heartbeatTimer) return;
    const window = Math.min(FIRST_HEARTBEAT_SPREAD_MS, HEARTBEAT_INTERVAL_SECONDS * 1000);
    this.scheduleHeartbeat(this.command === 'serve' && this.ranBefore ? spread(window) : 0);
  }

  /** The server refused this node as revoked (a transfer's announce learned it). */
  markRevoked(): void {
    this.isRevoked = true;
    this.revokedNow();
  }

  /** Rates per transfer, over the last status interval. */
  rates(transfer: Transfer): { down: number; up: number } {
    const now = Date.now();
    const prev = this.lastCounters.get(transfer.resourceId);
    const cur = { at: now, downloaded: transfer.stats.downloaded, uploaded: transfer.stats.uploaded, down: 0, up: 0 };
    if (prev && now - prev.at < 900) return { down: prev.down, up: prev.up };
    if (prev) {
      const secs = (now - prev.at) / 1000;
      cur.down = (cur.downloaded - prev.downloaded) / secs;
      cur.up = (cur.uploaded - prev.uploaded) / secs;
    }
    this.lastCounters.set(transfer.resourceId, cur);
    return { down: cur.down, up: cur.up };
  }

  async close(): Promise<void> {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    // The last report is taken while the transfers are still there (their holdings and
    // final counters), and sent once peers were told: the node is offline from then on.
    // A revoked node has nothing to say goodbye with: the server refuses its credential.
    const farewell = this.heartbeatsStarted && !this.isRevoked ? this.engine.heartbeatReport() : null;
    await this.engine.stop();
    if (farewell) await this.sayGoodbye(farewell);
    await this.writeStatus(true).catch(() => undefined);
  }

  private async sayGoodbye(report: HeartbeatRequest): Promise<void> {
    try {
      await callApi<HeartbeatResponse>(this.config.serverUrl, '/api/nodes/heartbeat', {
        node: { credential: this.config.credential, key: this.key },
        body: { ...report, leaving: true },
        timeoutMs: GOODBYE_TIMEOUT_MS,
      });
    } catch (err) {
      this.log.log('warn', `could not tell the server this node stopped: ${(err as Error).message}`);
    }
  }

  private scheduleHeartbeat(delayMs: number): void {
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), delayMs);
    this.heartbeatTimer.unref();
  }

  private async heartbeat(): Promise<void> {
    let delayMs: number;
    try {
      const body = this.engine.heartbeatReport({
        ...(this.preheat ? { preheat: await this.preheat.reports() } : {}),
        ...(this.downloads ? { downloads: await this.downloads.reports() } : {}),
      });
      const answer = await callApi<HeartbeatResponse>(this.config.serverUrl, '/api/nodes/heartbeat', {
        node: { credential: this.config.credential, key: this.key },
        body,
      });
      if (answer.credential && answer.credentialExpiresAt) {
        // Settings changed on disk meanwhile (`shoal config`) are kept, not overwritten.
        const onDisk = await this.dataDir.nodeConfig().catch(() => null);
        this.config = {
          ...(onDisk?.nodeId === this.config.nodeId ? onDisk : this.config),
          credential: answer.credential,
          credentialExpiresAt: answer.credentialExpiresAt,
        };
        await this.dataDir.saveNodeConfig(this.config);
        this.log.log('info', `node credential renewed, valid until ${answer.credentialExpiresAt}`);
      }
      await this.engine.revoke(answer.revokedNodeIds ?? []);
      await this.preheat?.apply(answer.preheat ?? [], answer.preheatCancelled ?? []);
      await this.downloads?.apply(answer.downloads ?? [], answer.downloadsCancelled ?? []);
      const interval =
        this.preheat?.busy || this.downloads?.busy
          ? MIN_HEARTBEAT_SECONDS
          : Math.min(
              MAX_HEARTBEAT_SECONDS,
              Math.max(MIN_HEARTBEAT_SECONDS, Number(answer.intervalSeconds) || HEARTBEAT_INTERVAL_SECONDS),
            );
      delayMs = jittered(interval * 1000, HEARTBEAT_JITTER);
      if (this.heartbeatBackoff.failures > 0) this.log.log('info', 'server reachable again');
      this.heartbeatBackoff.reset();
    } catch (err) {
      if (err instanceof CliError && err.exitCode === EXIT.unauthorized && err.message.includes(' node_revoked ')) {
        // Permanent: no renewal or transfer will be accepted again, so stop asking.
        this.log.log('error', 'this node has been revoked by an admin');
        this.markRevoked();
        return;
      }
      const first = this.heartbeatBackoff.failures === 0;
      // A server shedding load (429) or briefly without Redis (503) says when to come back.
      delayMs = this.heartbeatBackoff.next(err instanceof CliError ? err.retryAfterMs : null);
      if (first)
        this.log.log(
          'warn',
          `heartbeat failed, transfers go on; next try in ${Math.ceil(delayMs / 1000)} s: ${(err as Error).message}`,
        );
    }
    this.scheduleHeartbeat(delayMs);
  }

  async writeStatus(stopped = false): Promise<void> {
    const status: AgentStatus = {
      pid: stopped ? 0 : process.pid,
      command: this.command,
      updatedAt: new Date().toISOString(),
      addresses: this.engine.addresses(),
      transfers: this.engine.transfers().map((t) => {
        const r = this.rates(t);
        return {
          resourceId: t.resourceId,
          name: t.name,
          complete: t.isComplete(),
          bytesWanted: t.bytesWanted(),
          bytesLeft: t.bytesLeft(),
          downloadRate: Math.round(r.down),
          uploadRate: Math.round(r.up),
          downloaded: t.stats.downloaded,
          uploaded: t.stats.uploaded,
          downloadedFromPeers: t.stats.downloadedFromPeers,
          downloadedFromSeeds: t.stats.downloadedFromSeeds,
          peers: t.peerSummaries(),
        };
      }),
    };
    await this.dataDir.saveStatus(status).catch(() => undefined);
  }
}
