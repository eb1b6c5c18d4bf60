import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  Engine,
  generateTlsMaterial,
  hashContent,
  NodeKey,
  type LogLevel,
  type TlsMaterial,
  type TransferSpec,
  writeFileAtomic,
} from '@shoal/agent';
import { choosePieceSize, HEARTBEAT_INTERVAL_SECONDS, TOKEN_LIFETIMES, type ResourceDetail } from '@shoal/contract';
import { decodeJwt } from 'jose';
import { mkdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Gauge } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { SigningKeysService } from '../credentials/signing-keys.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { NodesService } from '../nodes/nodes.service.js';
import { ResourcesService } from '../resources/resources.service.js';

interface Identity {
  nodeId: string | null;
  keyPem: string;
  tls: TlsMaterial;
}

/** What the built-in seed holds: each resource and the folder its files live under. */
interface Holding {
  resourceId: string;
  root: string;
}

/**
 * The agent's engine running inside the server process, as a seed server like any other:
 * it has its own node identity and credential, listens for peers over TLS, announces to
 * the tracker and heartbeats its holdings. Files uploaded in the portal are stored under
 * the data directory, hashed on worker threads, published and served from here, which
 * makes one `npm start` a complete platform.
 */
@Injectable()
export class BuiltinSeedService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BuiltinSeed');
  private readonly dir: string;
  private engine: Engine | null = null;
  private nodeId: string | null = null;
  private credential = '';
  private holdings: Holding[] = [];
  private timers: NodeJS.Timeout[] = [];
  private heartbeats: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly nodes: NodesService,
    private readonly resources: ResourcesService,
    private readonly signingKeys: SigningKeysService,
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {
    this.dir = join(config.dataDir, 'builtin-seed');
  }

  get enabled(): boolean {
    return this.config.builtinSeed.enabled && this.engine !== null;
  }

  get uploadsDir(): string {
    return join(this.dir, 'uploads');
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.builtinSeed.enabled) return;
    await mkdir(this.uploadsDir, { recursive: true });
    const identity = await this.loadIdentity();
    const key = NodeKey.fromPem(identity.keyPem);
    // Registered first (addresses come with the first heartbeat, once listening).
    const registered = await this.nodes.registerBuiltinSeed(identity.nodeId, key.publicJwk().x, []);
    if (!registered) {
      this.logger.warn('the built-in seed node was revoked by an admin; it stays off');
      return;
    }
    this.nodeId = registered.node.id;
    this.credential = registered.credential;
    this.exportCredentialExpiry();
    if (identity.nodeId !== this.nodeId) await this.saveIdentity({ ...identity, nodeId: this.nodeId });
    const { host, port, advertise } = this.config.builtinSeed;
    // The agent verifies peers against the JWKS, fetched over HTTP and cached on disk. This
    // server is not listening yet, so hand it the keys through its cache file.
    await mkdir(join(this.dir, 'state'), { recursive: true });
    await writeAtomically(join(this.dir, 'state', 'jwks.json'), JSON.stringify(await this.signingKeys.jwks()));
    this.engine = await Engine.start({
      nodeId: this.nodeId,
      credential: () => this.credential,
      key,
      tls: identity.tls,
      serverUrl: `http://127.0.0.1:${this.config.port}`,
      trackerUrl: `http://127.0.0.1:${this.config.port}/api/tracker/announce`,
      stateDir: join(this.dir, 'state'),
      listen: { host, port },
      ...(advertise ? { advertise: [advertise] } : {}),
      log: { log: (level: LogLevel, message: string) => this.log(level, message) },
    });
    this.holdings = await this.loadHoldings();
    // The tracker it announces to is this server: announcing before the server listens
    // only logged one ECONNREFUSED per resource at every start.
    this.whenListening(
      () =>
        void this.startProviding().catch((err: Error) => this.logger.error(`cannot start providing: ${err.message}`)),
    );
  }

  private whenListening(go: () => void): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    if (server.listening) go();
    else server.once('listening', go);
  }

  private async startProviding(): Promise<void> {
    if (!this.engine) return;
    // A copy: an upload may add (and provide) a holding while these are being started.
    for (const h of [...this.holdings])
      await this.provide(h).catch((err: Error) => this.logger.warn(`cannot provide ${h.resourceId}: ${err.message}`));
    await this.heartbeat();
    this.timers = [
      setInterval(() => void this.heartbeat(), HEARTBEAT_INTERVAL_SECONDS * 1000),
      setInterval(() => void this.renewCredential(), (TOKEN_LIFETIMES.nodeCredentialSeconds / 4) * 1000),
    ];
    for (const t of this.timers) t.unref();
    this.logger.log(
      `built-in seed ${this.nodeId} serving ${this.holdings.length} resource(s) at ${this.advertisedAddresses().join(', ')}`,
    );
  }

  /**
   * Stops before the HTTP server closes (Nest closes it between the before-shutdown and
   * shutdown hooks): the engine's goodbye ("stopped" announces) goes to this server's
   * tracker, which refused it with ECONNREFUSED once closed.
   */
  async beforeApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const engine = this.engine;
    this.engine = null;
    await engine?.stop().catch((err: Error) => this.logger.warn(`stopping the built-in seed: ${err.message}`));
  }

  /**
   * Publishes a file already streamed into `uploadDir/<fileName>`: hashes it, stores the
   * metadata, and starts serving it.
   */
  async publishUpload(
    uploadDir: string,
    fileName: string,
    size: number,
    meta: { name: string; description?: string; tags?: string[] },
    actor: AuthenticatedUser,
  ): Promise<ResourceDetail> {
    if (!this.engine)
      throw new ServiceUnavailableException({ code: 'builtin_seed_off', message: 'the built-in seed is switched off' });
    const files = [{ path: fileName, size }];
    const pieceSize = choosePieceSize(size);
    const pieceHashes = await hashContent(uploadDir, files, pieceSize);
    const { resource } = await this.resources.publish(
      { ...meta, totalSize: size, pieceSize, files, pieceHashes },
      actor,
    );
    const holding = { resourceId: resource.id, root: uploadDir };
    if (!this.holdings.some((h) => h.resourceId === resource.id)) {
      await this.provide(holding);
      this.holdings.push(holding);
      await this.saveHoldings();
      await this.heartbeat();
    }
    return this.resources.detail(resource.id);
  }

  private async provide(h: Holding): Promise<void> {
    if (!this.engine || this.engine.transfer(h.resourceId)) return;
    const r = await this.resources.getOrFail(h.resourceId);
    const spec: TransferSpec = {
      resourceId: r.id,
      contentId: r.contentId,
      name: r.name,
      totalSize: r.totalSize,
      pieceSize: r.pieceSize,
      files: r.files,
      pieceHashes: this.resources.pieceHashes(r),
      trackerUrl: `http://127.0.0.1:${this.config.port}/api/tracker/announce`,
      ticket: '',
      peers: [],
    };
    this.engine?.provide(spec, h.root);
  }

  /**
   * One heartbeat at a time, each reporting what is held when its turn comes: the server
   * replaces the node's holdings with each report, so an older report (the first one at
   * start) landing after a newer one (an upload's) erased the upload's holding.
   */
  private heartbeat(): Promise<void> {
    const next = this.heartbeats.then(() => this.heartbeatNow());
    this.heartbeats = next.catch(() => undefined);
    return next;
  }

  private async heartbeatNow(): Promise<void> {
    if (!this.engine || !this.nodeId) return;
    const engine = this.engine;
    try {
      // Holdings that no longer exist in the catalog (deleted) are dropped from the report by the service.
      const answer = await this.nodes.heartbeat(
        { id: this.nodeId, name: 'builtin-seed', role: 'seed', site: null, issuedAt: Math.floor(Date.now() / 1000) },
        engine.heartbeatReport({ addresses: this.advertisedAddresses() }),
      );
      // As every agent does: peers an admin revoked are refused from now on, and dropped.
      await engine.revoke(answer.revokedNodeIds ?? []);
    } catch (err) {
      if (err instanceof UnauthorizedException && errorCode(err) === 'node_revoked') {
        this.logger.warn('the built-in seed node was revoked by an admin: it stops serving');
        for (const t of this.timers) clearInterval(t);
        this.engine = null;
        await engine.stop().catch(() => undefined);
        return;
      }
      this.logger.warn(`heartbeat failed: ${(err as Error).message}`);
    }
  }

  /**
   * Renewal failures are swallowed (the old credential is kept), so a renewal that keeps
   * failing only shows when peers start refusing the expired credential: this gauge lets an
   * alert see it coming. Registered only once the built-in seed runs, so a server without
   * one exports no expiry (rather than a 1970 one).
   */
  private exportCredentialExpiry(): void {
    const current = () => this.credential;
    new Gauge({
      name: 'shoal_builtin_seed_credential_expiry_timestamp_seconds',
      help: "When the built-in seed's node credential expires (unix seconds); it renews every few hours",
      registers: [this.metrics.registry],
      collect() {
        // Our own credential, signed by this server: read, not verified.
        const { exp } = decodeJwt(current());
        if (exp) this.set(exp);
      },
    });
  }

  private async renewCredential(): Promise<void> {
    if (this.nodeId) this.credential = await this.nodes.issueCredentialFor(this.nodeId).catch(() => this.credential);
  }

  /** Unless told otherwise, peers reach the built-in seed at the public URL's host. */
  private advertisedAddresses(): string[] {
    const addresses = this.engine?.addresses() ?? [];
    if (this.config.builtinSeed.advertise) return addresses;
    const host = new URL(this.config.publicUrl).hostname;
    return addresses.map((a) => `${host === 'localhost' ? '127.0.0.1' : host}:${a.slice(a.lastIndexOf(':') + 1)}`);
  }

  private log(level: LogLevel, message: string): void {
    if (level === 'error') this.logger.error(message);
    else if (level === 'warn') this.logger.warn(message);
    else if (level === 'info') this.logger.log(message);
    else this.logger.debug(message);
  }

  private async loadIdentity(): Promise<Identity> {
    const file = join(this.dir, 'identity.json');
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Identity;
    } catch {
      const identity: Identity = {
        nodeId: null,
        keyPem: NodeKey.generate().toPem(),
        tls: await generateTlsMaterial('shoal-builtin-seed'),
      };
      await this.saveIdentity(identity);
      return identity;
    }
  }

  private async saveIdentity(identity: Identity): Promise<void> {
    await writeAtomically(join(this.dir, 'identity.json'), JSON.stringify(identity), 0o600);
  }

  private async loadHoldings(): Promise<Holding[]> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'holdings.json'), 'utf8')) as Holding[];
    } catch {
      return [];
    }
  }

  private async saveHoldings(): Promise<void> {
    await writeAtomically(join(this.dir, 'holdings.json'), JSON.stringify(this.holdings, null, 2));
  }
}

/** Synced and renamed into place (the agent's own writeFileAtomic), so a power cut never leaves it empty. */
function writeAtomically(file: string, content: string, mode = 0o644): Promise<void> {
  return writeFileAtomic(file, content, { mode });
}

function errorCode(err: UnauthorizedException): unknown {
  const body = err.getResponse();
  return typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
}
