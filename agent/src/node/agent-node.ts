import { join } from 'node:path';
import { CredentialVerifier } from '../identity/credential-verifier.js';
import { JwksCache } from '../identity/jwks-cache.js';
import type { NodeKey } from '../identity/node-keys.js';
import { Revocations } from '../identity/revocations.js';
import type { TlsMaterial } from '../identity/tls-certificate.js';
import type { LocalIdentity } from '../peer/handshake.js';
import { HashPool } from '../pieces/hash-pool.js';
import { ResourceLayout } from '../pieces/resource-layout.js';
import { CompleteStore, type ContentStore } from '../storage/content-store.js';
import type { FileFingerprint } from '../storage/file-fingerprint.js';
import { DownloadArea } from '../storage/download-area.js';
import { Swarm } from '../swarm/swarm.js';
import { TrackerClient } from '../swarm/tracker-client.js';
import type { Logger } from '../util/logger.js';
import { formatHostPort, isWildcard, primaryAddress } from '../util/net.js';
import { TokenBucket } from '../util/token-bucket.js';
import { PeerListener } from './peer-listener.js';
import { selectFiles, type TransferSpec } from './transfer-spec.js';

const DEFAULT_MAX_PEERS = 32;

export interface AgentNodeOptions {
  nodeId: string;
  /** The current node credential (renewed by heartbeats). */
  credential: () => string;
  key: NodeKey;
  tls: TlsMaterial;
  serverUrl: string;
  /**
   * The announce URL of the server this node is enrolled with. Every transfer announces
   * here, whatever tracker its spec (a manifest, anyone's file) names: the announce carries
   * this node's credential and proof, so it goes only where the node itself enrolled.
   */
  trackerUrl: string;
  /** Where the JWKS and revocation list are cached. */
  stateDir: string;
  /**
   * A private directory (the CLI's `<dataDir>/downloads`) for the resume logs of downloads,
   * kept out of the output folder so nothing that can write there can forge them. Absent:
   * each log stays in its download's `<out>/.shoal-partial/<contentId>/`.
   */
  downloadStateDir?: string;
  /** Where to accept peers; null for a node that only dials. */
  listen: { host: string; port: number } | null;
  /** Addresses announced to the tracker (default: the listen address). */
  advertise?: string[];
  uploadLimit?: number | null;
  downloadLimit?: number | null;
  maxPeers?: number;
  /** Idle time after which a peer yields its slot to a newcomer (default 30 s; tests shorten it). */
  idleEvictMs?: number;
  log: Logger;
}

interface Transfer {
  swarm: Swarm;
  store: ContentStore;
  tracker: TrackerClient | null;
}

/**
 * One running agent: its identity, its TLS listener, the hash workers, the shared rate
 * limits, and one swarm per resource it downloads or provides.
 */
export class AgentNode {
  readonly transfers = new Map<string, Transfer>();
  readonly revocations: Revocations;
  readonly pool = new HashPool();
  private readonly jwks: JwksCache;
  private readonly verifier: CredentialVerifier;
  private readonly identity: LocalIdentity;
  private readonly listener: PeerListener;
  private readonly uploadBucket: TokenBucket;
  private readonly downloadBucket: TokenBucket;
  listenPort: number | null = null;

  constructor(private readonly o: AgentNodeOptions) {
    this.revocations = new Revocations(join(o.stateDir, 'revoked.json'));
    this.jwks = new JwksCache(o.serverUrl, join(o.stateDir, 'jwks.json'));
    this.verifier = new CredentialVerifier(this.jwks.resolver(), this.revocations);
    const credential = o.credential;
    this.identity = {
      nodeId: o.nodeId,
      get credential() {
        return credential();
      },
      sign: (data) => o.key.sign(data),
    };
    this.uploadBucket = new TokenBucket(o.uploadLimit ?? null);
    this.downloadBucket = new TokenBucket(o.downloadLimit ?? null);
    this.listener = new PeerListener({
      tls: o.tls,
      identity: this.identity,
      verifier: this.verifier,
      log: o.log,
      findSwarm: (id) => this.transfers.get(id)?.swarm,
    });
  }

  async start(): Promise<void> {
    await this.revocations.load();
    await this.jwks.load();
    if (!this.o.listen) return;
    const { host, port } = this.o.listen;
    this.listenPort = await this.listener.listen(host, port).catch(async (err: NodeJS.ErrnoException) => {
      // Another agent on this machine (a running `shoal serve`) may hold the port: take any free one.
      if (err.code !== 'EADDRINUSE' || port === 0) throw err;
      this.o.log.log('warn', `port ${port} is in use, listening on a free port instead`);
      return this.listener.listen(host, 0);
    });
  }

  /** Addresses other agents dial us at. */
  addresses(): string[] {
    if (this.o.advertise?.length) return this.o.advertise;
    if (!this.o.listen || this.listenPort === null) return [];
    const host = isWildcard(this.o.listen.host) ? primaryAddress() : this.o.listen.host;
    return [formatHostPort(host, this.listenPort)];
  }

  /**
   * Starts (or resumes) a download into `outDir`; the swarm emits 'complete' once verified and
   * in place. One already complete (in place, or every piece verified before a kill) is in
   * place when this returns: its swarm's isComplete() is true and no 'complete' follows.
   */
  async download(
    spec: TransferSpec,
    outDir: string,
    include: readonly string[] = [],
    options: { overwrite?: boolean } = {},
  ): Promise<Swarm> {
    const layout = new ResourceLayout(spec.totalSize, spec.pieceSize, spec.files);
    const wanted = selectFiles(spec, include);
    const store = await DownloadArea.open(
      outDir,
      spec.contentId,
      layout,
      wanted.files,
      wanted.pieces,
      this.pool,
      spec.pieceHashes,
      { ...options, resumeDir: this.o.downloadStateDir },
    );
    return this.run(spec, layout, store);
  }

  /**
   * Provides content held in full under `root` (each file at root/<path>); `hashed` names the
   * files whose pieces need no re-hash while their fingerprint stays the same (CompleteStore).
   */
  provide(spec: TransferSpec, root: string, hashed: Readonly<Record<string, FileFingerprint>> = {}): Swarm {
    const layout = new ResourceLayout(spec.totalSize, spec.pieceSize, spec.files);
    // A provider needs no ticket, and an old (expired) one would only get our hello refused.
    return this.run({ ...spec, ticket: '' }, layout, new CompleteStore(root, layout, hashed));
  }

  /** Checks a download ticket against the server's keys, as a provider would check ours. */
  verifyTicket(ticket: string, expect: { resourceId: string; contentId: string; nodeId: string }): Promise<unknown> {
    return this.verifier.ticket(ticket, expect);
  }

  /** Applies revocations learned from a heartbeat to every live transfer. */
  async revoke(nodeIds: readonly string[]): Promise<void> {
    const fresh = await this.revocations.add(nodeIds);
    if (fresh.length > 0) for (const t of this.transfers.values()) t.swarm.revoke(fresh);
  }

  async stopTransfer(resourceId: string): Promise<void> {
    const t = this.transfers.get(resourceId);
    if (!t) return;
    this.transfers.delete(resourceId);
    t.swarm.destroy();
    await t.tracker?.stop();
    await t.store.close();
  }

  async close(): Promise<void> {
    await this.listener.close();
    await Promise.all([...this.transfers.keys()].map((id) => this.stopTransfer(id)));
    await this.pool.destroy();
  }

  private run(spec: TransferSpec, layout: ResourceLayout, store: ContentStore): Swarm {
    if (this.transfers.has(spec.resourceId))
      throw new Error(`resource ${spec.resourceId} is already being transferred`);
    const swarm = new Swarm({
      offer: { resourceId: spec.resourceId, contentId: spec.contentId, ticket: spec.ticket },
      name: spec.name,
      layout,
      pieceHashes: spec.pieceHashes,
      store,
      identity: this.identity,
      verifier: this.verifier,
      tls: this.o.tls,
      pool: this.pool,
      limits: {
        upload: this.uploadBucket,
        download: this.downloadBucket,
        maxPeers: this.o.maxPeers ?? DEFAULT_MAX_PEERS,
        idleEvictMs: this.o.idleEvictMs,
      },
      log: this.o.log,
      ownAddresses: this.addresses(),
    });
    const tracker = spec.trackerUrl
      ? new TrackerClient(this.o.trackerUrl, this.o.credential, this.o.key, swarm, this.o.log, () => this.addresses())
      : null;
    this.transfers.set(spec.resourceId, { swarm, store, tracker });
    swarm.addCandidates(spec.peers);
    tracker?.start();
    return swarm;
  }
}
