import { readFile } from 'node:fs/promises';
import { HEARTBEAT_INTERVAL_SECONDS, type HeartbeatResponse } from '@shoal/contract';
import { Engine, NodeKey, type Logger, type Transfer } from '../engine/index.js';
import { callApi } from './api-client.js';
import type { AgentStatus, DataDir, NodeConfig } from './data-dir.js';
import { CliError, EXIT } from './exit-codes.js';
import { DownloadRequests } from './download-requests.js';
import { PreheatTasks } from './preheat-tasks.js';

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
export class Runtime {
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private lastCounters = new Map<
    string,
    { at: number; downloaded: number; uploaded: number; down: number; up: number }
  >();
  private heartbeatFailing = false;
  private revokedNow: () => void = () => undefined;
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
    runtime = new Runtime(dataDir, config, engine, key, log, command);
    runtime.statusTimer = setInterval(() => void runtime!.writeStatus(), 1000);
    runtime.statusTimer.unref();
    return runtime;
  }

  /**
   * Starts heartbeating. Callers do so once their transfers are registered: the server
   * replaces a node's holdings with each heartbeat's list, so a first heartbeat sent before
   * `serve` had registered what it provides erased the holding its own announce had just
   * recorded, and the seed counted as offline until the next heartbeat 30 s later.
   */
  startHeartbeats(): void {
    if (!this.heartbeatTimer) this.scheduleHeartbeat(0);
  }

  /** The server refused this node as revoked (a transfer's announce learned it). */
  markRevoked(): void {
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
    await this.engine.stop();
    await this.writeStatus(true).catch(() => undefined);
  }

  private scheduleHeartbeat(delaySeconds: number): void {
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), delaySeconds * 1000);
    this.heartbeatTimer.unref();
  }

  private async heartbeat(): Promise<void> {
    let interval = HEARTBEAT_INTERVAL_SECONDS;
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
      interval = Math.max(5, Number(answer.intervalSeconds) || HEARTBEAT_INTERVAL_SECONDS);
      if (this.preheat?.busy || this.downloads?.busy) interval = 5;
      if (this.heartbeatFailing) this.log.log('info', 'server reachable again');
      this.heartbeatFailing = false;
    } catch (err) {
      if (err instanceof CliError && err.exitCode === EXIT.unauthorized && err.message.includes(' node_revoked ')) {
        // Permanent: no renewal or transfer will be accepted again, so stop asking.
        this.log.log('error', 'this node has been revoked by an admin');
        this.markRevoked();
        return;
      }
      if (!this.heartbeatFailing) this.log.log('warn', `heartbeat failed, transfers go on: ${(err as Error).message}`);
      this.heartbeatFailing = true;
      interval = 10;
    }
    this.scheduleHeartbeat(interval);
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
