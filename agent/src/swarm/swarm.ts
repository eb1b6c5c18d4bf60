import { EventEmitter } from 'node:events';
import type { NodeRole } from '@shoal/contract';
import { PeerRefusedError, type CredentialVerifier } from '../identity/credential-verifier.js';
import type { TlsMaterial } from '../identity/tls-certificate.js';
import { PeerConnection } from '../peer/peer-connection.js';
import type { LocalIdentity, ResourceOffer } from '../peer/handshake.js';
import { PiecePicker } from '../picker/piece-picker.js';
import { RequestPlanner, type PieceInProgress } from '../picker/request-planner.js';
import type { HashPool } from '../pieces/hash-pool.js';
import { PieceBuffers } from '../pieces/piece-buffers.js';
import type { ResourceLayout } from '../pieces/resource-layout.js';
import { RejectReason, type WireMessage } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { WIRE } from '../protocol/wire-limits.js';
import type { ContentStore } from '../storage/content-store.js';
import type { Logger } from '../util/logger.js';
import type { TokenBucket } from '../util/token-bucket.js';
import { BAN_STRIKES, MAX_CONSECUTIVE_TIMEOUTS, PeerSession } from './peer-session.js';
import { SwarmStats } from './swarm-stats.js';
import { PeerCandidates, type Candidate } from './peer-candidates.js';
import { BlameLedger } from './blame-ledger.js';
import { PieceServer } from './piece-server.js';
import { InitialSeeding } from './initial-seeding.js';
import { CACHE_BUDGET_BYTES } from './piece-cache.js';
import { decideSlot, defaultPerOwner, IDLE_EVICT_MS } from './peer-slots.js';

const REQUEST_TIMEOUT_MS = 15_000;
/**
 * Memory for pieces being assembled, hashed or written, per transfer (twice this when holders
 * of started pieces left).
 */
const ASSEMBLY_MEMORY_BUDGET = 32 * 1024 * 1024;
/** Unrequested data a peer may send (late blocks after cancels) before it is dropped. */
const MAX_UNASKED_BYTES = 16 * 1024 * 1024;
const TICK_MS = 500;
/**
 * Verified pieces are announced to peers in batches this often, in one write per peer. On a shaped link each small write costs ~0.1-0.2 ms of CPU
 * (TLS record, syscall, and the kernel's path to the receiver): one `have` per piece per peer
 * was three times as many writes as the requests themselves.
 */
const HAVE_BATCH_MS = 100;
const ALONE_WARNING_MS = 30_000;

export interface SwarmLimits {
  upload: TokenBucket;
  download: TokenBucket;
  maxPeers: number;
  /** Peers one owner may hold (default: an eighth of maxPeers, at least 2). */
  maxPeersPerOwner?: number;
  /** Idle time after which a peer yields its slot to a newcomer (tests shorten it). */
  idleEvictMs?: number;
}

export interface SwarmOptions {
  offer: ResourceOffer;
  /** Human name of the resource, for logs and status. */
  name: string;
  layout: ResourceLayout;
  pieceHashes: readonly string[];
  store: ContentStore;
  identity: LocalIdentity;
  verifier: CredentialVerifier;
  tls: TlsMaterial;
  pool: HashPool;
  limits: SwarmLimits;
  log: Logger;
  /** Our own listen addresses, never dialed. */
  ownAddresses?: readonly string[];
}

/**
 * One resource's transfer: it coordinates the peers, the picker and the store, and owns
 * nothing else. Pieces it holds are served to every peer allowed to download, from the
 * first verified piece on; missing pieces are fetched from every peer that has them.
 */
export class Swarm extends EventEmitter {
  readonly stats = new SwarmStats();
  readonly candidates: PeerCandidates;
  private readonly peers = new Map<string, PeerSession>();
  private readonly banned = new Set<string>();
  /** Signed role of every peer seen, so bytes are credited right even after the sender left. */
  private readonly roles = new Map<string, NodeRole>();
  private readonly picker: PiecePicker;
  private readonly planner: RequestPlanner;
  private readonly ticker: NodeJS.Timeout;
  private readonly server: PieceServer;
  private readonly ledger = new BlameLedger();
  private readonly buffers: PieceBuffers;
  /** Set while we hold every piece and some are new to the swarm: each downloader is offered its own share. */
  private readonly seeding: InitialSeeding | null;
  private dialing = 0;
  private readonly pendingHaves: number[] = [];
  private haveTimer: NodeJS.Timeout | null = null;
  private aloneSince: number | null = null;
  private finalizing = false;
  private destroyed = false;
  /** Our site, from our own signed credential (null: no site, no preference). */
  private readonly ownSite: string | null;
  private readonly remoteSiteHoldUntil = Date.now() + SITE_PREFERENCE_GRACE_MS;

  constructor(private readonly o: SwarmOptions) {
    super();
    this.ownSite = siteOf(o.identity.credential);
    this.picker = new PiecePicker(o.layout.pieceCount, o.store.wantedPieces);
    for (const p of o.store.held.indexes()) this.picker.markHeld(p);
    // Pieces being assembled are held in memory: cap them by a budget, so memory does not grow with piece or resource size.
    const maxInProgress = Math.max(
      2,
      Math.min(2 * o.limits.maxPeers, Math.floor(ASSEMBLY_MEMORY_BUDGET / o.layout.pieceSize)),
    );
    // Enough spare buffers for every piece being assembled plus the serving cache.
    this.buffers = new PieceBuffers(
      o.layout.pieceSize,
      maxInProgress + Math.ceil(CACHE_BUDGET_BYTES / o.layout.pieceSize),
    );
    this.planner = new RequestPlanner(
      this.picker,
      (p) => o.layout.pieceLength(p),
      WIRE.blockSize,
      maxInProgress,
      (n) => this.buffers.take(n),
    );
    this.server = new PieceServer({ ...o, buffers: this.buffers, upload: o.limits.upload, stats: this.stats });
    this.candidates = new PeerCandidates(o.identity.nodeId, o.ownAddresses ?? []);
    this.seeding = o.store.isComplete() ? new InitialSeeding(o.layout.pieceCount, o.layout.pieceSize) : null;
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
  }

  get resourceId(): string {
    return this.o.offer.resourceId;
  }

  get offer(): ResourceOffer {
    return this.o.offer;
  }

  get name(): string {
    return this.o.name;
  }

  piecesHeld(): number {
    return this.o.store.held.count();
  }

  isComplete(): boolean {
    return this.o.store.isComplete() && !this.finalizing;
  }

  /** Bytes of wanted pieces still missing. */
  bytesLeft(): number {
    let left = 0;
    for (const p of this.o.store.wantedPieces) if (!this.o.store.held.has(p)) left += this.o.layout.pieceLength(p);
    return left;
  }

  bytesWanted(): number {
    let total = 0;
    for (const p of this.o.store.wantedPieces) total += this.o.layout.pieceLength(p);
    return total;
  }

  /** Peers banned from this transfer for sending corrupt data. */
  bannedCount(): number {
    return this.banned.size;
  }

  peerCount(): number {
    return this.peers.size;
  }

  peerSummaries(): {
    nodeId: string;
    name: string;
    role: string;
    address: string;
    downloaded: number;
    uploaded: number;
  }[] {
    return [...this.peers.values()].map((s) => ({
      nodeId: s.nodeId,
      name: s.conn.remote.name,
      role: s.conn.remote.role,
      address: s.conn.address,
      downloaded: s.downloaded,
      uploaded: s.uploaded,
    }));
  }

  addCandidates(list: Candidate[]): void {
    this.candidates.add(list);
    this.dialMore();
  }

  /** Drops and refuses nodes the server revoked. */
  revoke(nodeIds: readonly string[]): void {
    for (const id of nodeIds) {
      this.banned.add(id);
      this.peers.get(id)?.conn.destroy(new PeerRefusedError(`node ${id} is revoked`));
    }
  }

  /** Takes an authenticated connection (dialed or accepted) into the swarm, or refuses it. */
  addPeer(conn: PeerConnection): void {
    const id = conn.remote.nodeId;
    if (this.destroyed) return conn.destroy(new PeerRefusedError('transfer stopped'));
    if (this.banned.has(id)) return conn.destroy(new PeerRefusedError(`node ${id} is banned from this transfer`));
    const existing = this.peers.get(id);
    if (existing) {
      // Both sides dialed each other at once: both keep the connection dialed by the smaller
      // node id, so they never each close a different one and end up with none.
      if (!this.preferred(conn) || this.preferred(existing.conn)) {
        return conn.destroy(new PeerRefusedError('already connected'));
      }
      existing.conn.destroy(new PeerRefusedError('already connected'));
    }
    const decision = this.decideSlot(conn, existing);
    if (!decision.admit) {
      this.o.log.log('info', `refused ${conn.remote.name} (${id}): ${decision.reason}`, { resource: this.resourceId });
      return conn.destroy(new PeerRefusedError(decision.reason));
    }
    if (decision.evict) {
      const yielding = this.peers.get(decision.evict)!;
      this.o.log.log('info', `${yielding.conn.remote.name} (${decision.evict}) yields its slot to ${conn.remote.name}`);
      yielding.conn.destroy(
        new PeerRefusedError('slot given to a newcomer (idle, or its owner holds more than others)'),
      );
    }
    const session = new PeerSession(conn, this.o.layout.pieceCount);
    this.peers.set(id, session);
    this.roles.set(id, conn.remote.role);
    this.candidates.connected(id);
    this.o.log.log('info', `peer connected: ${conn.remote.name} (${conn.remote.role}, ${id}) at ${conn.address}`, {
      resource: this.resourceId,
    });
    conn.on('message', (m: WireMessage) => {
      try {
        this.onMessage(session, m);
      } catch (err) {
        conn.destroy(err as Error);
      }
    });
    conn.on('close', (err: Error | null) => this.removePeer(session, err));
    conn.on('drain', () => void this.server.pump(session));
    const offer = this.seeding?.join(id, (p) => session.has.has(p)) ?? null;
    conn.send({ type: 'haveMap', pieceCount: this.o.layout.pieceCount, bitfield: this.servableBitfield(offer) });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearInterval(this.ticker);
    if (this.haveTimer) clearTimeout(this.haveTimer);
    this.server.clear();
    for (const s of [...this.peers.values()]) s.conn.destroy();
    this.emit('destroyed');
  }

  private decideSlot(conn: PeerConnection, replacing: PeerSession | undefined) {
    const now = Date.now();
    const holders = [...this.peers.values()]
      .filter((s) => s !== replacing)
      .map((s) => ({ nodeId: s.nodeId, owner: s.conn.remote.owner, idleMs: now - s.lastActive }));
    const { maxPeers } = this.o.limits;
    return decideSlot(conn.remote.owner, holders, {
      maxPeers,
      perOwner: this.o.limits.maxPeersPerOwner ?? defaultPerOwner(maxPeers),
      idleEvictMs: this.o.limits.idleEvictMs ?? IDLE_EVICT_MS,
    });
  }

  private preferred(conn: PeerConnection): boolean {
    const self = this.o.identity.nodeId;
    const other = conn.remote.nodeId;
    const dialer = conn.side === 'initiator' ? self : other;
    return dialer === (self < other ? self : other);
  }

  /** The pieces we can serve (only those in `only`, when given). */
  private servableBitfield(only: readonly number[] | null = null): Buffer {
    const bits = Buffer.alloc(Math.ceil(this.o.layout.pieceCount / 8));
    for (const p of only ?? this.o.store.held.indexes()) if (this.server.servable(p)) bits[p >> 3] |= 0x80 >> (p & 7);
    return bits;
  }

  private removePeer(session: PeerSession, err: Error | null): void {
    if (this.peers.get(session.nodeId) !== session) return;
    this.peers.delete(session.nodeId);
    this.candidates.disconnected(session.nodeId);
    for (const p of session.has.indexes()) this.picker.peerLost(p);
    this.planner.releasePeer(session.nodeId);
    this.seeding?.leave(session.nodeId);
    session.outstanding.clear();
    this.o.log.log(
      'info',
      `peer disconnected: ${session.conn.remote.name} (${session.nodeId})${err ? `: ${err.message}` : ''}`,
    );
    this.fillAll();
  }

  private onMessage(s: PeerSession, m: WireMessage): void {
    switch (m.type) {
      case 'haveMap':
        if (m.pieceCount !== this.o.layout.pieceCount) {
          throw new ProtocolError(
            'malformed',
            `have-map for ${m.pieceCount} pieces, resource has ${this.o.layout.pieceCount}`,
          );
        }
        for (let p = 0; p < m.pieceCount; p++) if (m.bitfield[p >> 3] & (0x80 >> (p & 7))) this.peerHas(s, p);
        return this.fill(s);
      case 'have':
        if (m.piece >= this.o.layout.pieceCount) throw new ProtocolError('malformed', `have for piece ${m.piece}`);
        this.peerHas(s, m.piece);
        return this.fill(s);
      case 'request':
        s.lastActive = Date.now();
        return this.server.request(s, m);
      case 'cancel':
        return s.cancelUpload(m);
      case 'reject':
        s.removeOutstanding(m);
        this.planner.release(s.nodeId, m);
        // Believe it: no longer ask this peer for that piece (or, if not allowed, for anything).
        if (m.reason === RejectReason.notAllowed) s.refusesUs = true;
        else if (m.reason === RejectReason.notHeld && s.has.unset(m.piece)) this.picker.peerLost(m.piece);
        return this.fill(s);
      case 'data':
        s.lastActive = Date.now();
        return this.onData(s, m.piece, m.offset, m.block);
      default:
        return;
    }
  }

  private peerHas(s: PeerSession, piece: number): void {
    if (!s.has.set(piece)) return;
    this.picker.peerHas(piece);
    if (!this.o.store.held.has(piece) && this.o.store.wantedPieces.has(piece)) this.stats.peerCanGive(Date.now());
    if (this.seeding) this.offerPieces(this.seeding.peerHas(s.nodeId, piece, (p) => s.has.has(p)));
  }

  /** Tells peers about pieces we now offer them (initial seeding). */
  private offerPieces(offers: Map<string, number[]>): void {
    for (const [id, pieces] of offers) {
      const peer = this.peers.get(id);
      peer?.conn.batch(() => {
        for (const p of pieces) if (this.server.servable(p)) peer.conn.send({ type: 'have', piece: p });
      });
    }
  }

  private onData(s: PeerSession, piece: number, offset: number, block: Buffer): void {
    const ref = s.takeOutstanding(piece, offset, block.length);
    if (!ref) {
      // Late after a cancel is normal; a stream of data nobody asked for is an attack on our bandwidth.
      this.stats.wasted += block.length;
      s.unaskedBytes += block.length;
      if (s.unaskedBytes > MAX_UNASKED_BYTES) {
        throw new ProtocolError('unexpected', `more than ${MAX_UNASKED_BYTES} bytes of data nobody asked for`);
      }
      return this.fill(s);
    }
    const wait = this.o.limits.download.charge(block.length);
    if (wait > 0) {
      // Download limit: stop reading this socket for a while, and TCP slows the sender down.
      s.conn.socket.pause();
      setTimeout(() => s.conn.socket.resume(), wait).unref();
    }
    const outcome = this.planner.receive(s.nodeId, piece, offset, block);
    if (!outcome.accepted) this.stats.wasted += block.length;
    this.stats.dataArrived(Date.now());
    for (const other of outcome.cancelAt) {
      const o = this.peers.get(other);
      if (o) {
        o.removeOutstanding(ref);
        o.conn.send({ type: 'cancel', ...ref });
      }
    }
    if (outcome.completed) void this.verify(outcome.completed);
    this.fill(s);
  }

  private async verify(assembled: PieceInProgress): Promise<void> {
    const { piece, contributors } = assembled;
    try {
      const senders = assembled.senders();
      const { hash, data } = await this.o.pool.hashBuffer(assembled.data);
      if (this.destroyed) return;
      if (hash !== this.o.pieceHashes[piece]) return this.onBadPiece(piece, data, senders);
      for (const id of this.ledger.verified(piece, data)) this.blame(id, piece);
      await this.o.store.store(piece, data);
      // Peers that lack it ask for it as soon as we announce it: serve it from memory, not from disk.
      const wanted = [...this.peers.values()].some((s) => s.conn.remote.mayDownload && !s.has.has(piece));
      if (!wanted || !this.server.adopt(piece, data)) this.buffers.give(data);
      this.picker.markHeld(piece);
      this.planner.verified(piece);
      this.stats.pieceVerified(Date.now());
      for (const [id, bytes] of contributors) this.stats.received(this.roles.get(id) ?? 'client', bytes);
      if (this.server.servable(piece)) this.announce(piece);
      this.emit('piece', piece);
      if (this.o.store.isComplete()) {
        this.flushHaves();
        await this.complete();
      } else this.fillAll();
    } catch (err) {
      if (this.destroyed) return;
      this.o.log.log('error', `cannot store piece ${piece}: ${(err as Error).message}`);
      this.emit('failed', err);
    }
  }

  private announce(piece: number): void {
    this.pendingHaves.push(piece);
    if (this.haveTimer) return;
    this.haveTimer = setTimeout(() => this.flushHaves(), HAVE_BATCH_MS);
    this.haveTimer.unref();
  }

  private flushHaves(): void {
    if (this.haveTimer) clearTimeout(this.haveTimer);
    this.haveTimer = null;
    const pieces = this.pendingHaves.splice(0);
    if (pieces.length === 0) return;
    // Every peer hears of every piece, even one that holds it: a seed in its first pass
    // (InitialSeeding) offers a downloader more pieces only as it reports the last ones done.
    for (const s of this.peers.values())
      s.conn.batch(() => pieces.forEach((piece) => s.conn.send({ type: 'have', piece })));
  }

  /** A piece failed its hash: blame who the ledger names, and fetch it again (from one peer if senders were mixed). */
  private onBadPiece(piece: number, data: Buffer, senders: Map<number, string>): void {
    this.stats.piecesFailed++;
    this.stats.wasted += data.length;
    const { blameNow, retryFromOnePeer } = this.ledger.failed(piece, data, senders);
    // The ledger keeps a mixed-sender copy to compare with the good one later.
    if (!retryFromOnePeer) this.buffers.give(data);
    for (const id of blameNow) this.blame(id, piece);
    if (retryFromOnePeer) {
      const names = [...new Set(senders.values())].map((id) => this.peers.get(id)?.conn.remote.name ?? id).join(', ');
      this.o.log.log(
        'warn',
        `piece ${piece} failed its SHA-256 check; blocks came from ${names}: re-fetching it from one peer`,
      );
    }
    this.planner.discard(piece, retryFromOnePeer);
    this.fillAll();
  }

  private blame(nodeId: string, piece: number): void {
    const s = this.peers.get(nodeId);
    if (!s) return;
    s.strikes++;
    this.o.log.log('warn', `${s.conn.remote.name} (${nodeId}) sent corrupt data for piece ${piece}`, {
      strikes: s.strikes,
    });
    if (s.strikes >= BAN_STRIKES) {
      this.banned.add(nodeId);
      this.o.log.log('warn', `banned ${s.conn.remote.name} (${nodeId}) from this transfer: sent corrupt data`);
      s.conn.destroy(new PeerRefusedError('banned: sent corrupt data'));
    }
  }

  private async complete(): Promise<void> {
    if (this.finalizing) return;
    this.finalizing = true;
    try {
      await this.o.store.finalize();
    } finally {
      this.finalizing = false;
    }
    this.o.log.log('info', `resource ${this.resourceId} complete and verified`);
    this.emit('complete');
  }

  private fill(s: PeerSession): void {
    if (this.o.store.isComplete() || !s.conn.isOpen() || s.refusesUs) return;
    const depth = s.pipelineDepth(WIRE.blockSize);
    // Requests go out a quarter of the pipeline at a time, in one write, rather than one per
    // block received: the pipeline covers bandwidth x delay plus half a second of slack, so the
    // dip costs no throughput, and a shaped link pays per write (see HAVE_BATCH_MS).
    if (s.outstanding.size > depth - Math.max(1, Math.floor(depth / 4))) return;
    // Site preference: a peer of another site is only asked for pieces that no peer of our
    // own site can give, so bytes cross sites (WAN links) only when they must.
    const remoteSite = this.ownSite !== null && s.conn.remote.site !== this.ownSite;
    // Dials finish in any order: give peers of our own site a moment to connect before a
    // peer of another site fills its pipeline with requests that then cross the WAN.
    if (remoteSite && Date.now() < this.remoteSiteHoldUntil) return;
    const sameSite = remoteSite
      ? [...this.peers.values()].filter((o) => o.conn.remote.site === this.ownSite && o.conn.isOpen() && !o.refusesUs)
      : [];
    const mayAsk = remoteSite
      ? (p: number) => s.has.has(p) && !sameSite.some((o) => o.has.has(p))
      : (p: number) => s.has.has(p);
    s.conn.batch(() => {
      while (s.outstanding.size < depth) {
        const ref = this.planner.next(s.nodeId, mayAsk);
        if (!ref) break;
        s.addOutstanding(ref);
        s.conn.send({ type: 'request', ...ref });
      }
    });
  }

  private fillAll(): void {
    for (const s of this.peers.values()) this.fill(s);
  }

  private tick(): void {
    if (!this.picker.anyMissingAvailable()) this.stats.nobodyCanGive();
    this.server.evictIdle();
    this.buffers.trimIdle();
    if (this.seeding) this.offerPieces(this.seeding.finishIfStalled());
    for (const s of this.peers.values()) {
      this.o.log.log('debug', `pipeline ${s.conn.remote.name}`, {
        asked: s.outstanding.size,
        depth: s.pipelineDepth(WIRE.blockSize),
        theirQueue: s.uploadQueue.length,
        backlog: s.conn.backlog(),
        inProgress: this.planner.inProgress.size,
      });
    }
    for (const s of this.peers.values()) {
      const expired = s.expired(REQUEST_TIMEOUT_MS);
      if (expired.length === 0) continue;
      for (const ref of expired) {
        this.planner.release(s.nodeId, ref);
        s.conn.send({ type: 'cancel', ...ref });
      }
      s.consecutiveTimeouts += expired.length;
      if (s.consecutiveTimeouts >= MAX_CONSECUTIVE_TIMEOUTS) s.conn.destroy(new Error('too slow: requests timed out'));
    }
    this.fillAll();
    this.dialMore();
    this.warnIfAlone();
  }

  /** Says so, every half minute, when a download has no peer at all (nothing to dial, or all unreachable). */
  private warnIfAlone(): void {
    if (this.peers.size > 0 || this.o.store.isComplete()) {
      this.aloneSince = null;
      return;
    }
    const now = Date.now();
    this.aloneSince ??= now;
    if (now - this.aloneSince >= ALONE_WARNING_MS) {
      this.aloneSince = now;
      this.o.log.log('warn', `no peer holds ${this.name} right now; still trying the known peers and the tracker`);
    }
  }

  private dialMore(): void {
    if (this.destroyed || this.o.store.isComplete()) return;
    const room = this.o.limits.maxPeers - this.peers.size - this.dialing;
    for (const c of this.candidates.due(room, this.banned)) {
      this.dialing++;
      void this.dial(c).finally(() => this.dialing--);
    }
  }

  private async dial(c: { address: string; nodeId: string | null }): Promise<void> {
    const sep = c.address.lastIndexOf(':');
    const host = c.address.slice(0, sep).replace(/^\[|\]$/g, '');
    const port = Number(c.address.slice(sep + 1));
    try {
      const conn = await PeerConnection.dial({
        host,
        port,
        offer: this.o.offer,
        tls: this.o.tls,
        identity: this.o.identity,
        verifier: this.o.verifier,
      });
      this.candidates.succeeded(c.address, conn.remote.nodeId);
      this.addPeer(conn);
    } catch (err) {
      this.candidates.failed(c.address);
      this.o.log.log('warn', `could not connect to ${c.address}: ${(err as Error).message}`);
    }
  }
}

/** How long peers of other sites wait for their first requests while our own site's peers connect. */
const SITE_PREFERENCE_GRACE_MS = 2_000;

/** The `site` claim of a credential (not verified here: it is our own, from the server). */
function siteOf(credential: string): string | null {
  try {
    const claims = JSON.parse(Buffer.from(credential.split('.')[1] ?? '', 'base64url').toString()) as {
      site?: unknown;
    };
    return typeof claims.site === 'string' ? claims.site : null;
  } catch {
    return null;
  }
}
