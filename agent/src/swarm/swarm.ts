import { EventEmitter } from 'node:events';
import { PeerRefusedError, type CredentialVerifier } from '../identity/credential-verifier.js';
import type { TlsMaterial } from '../identity/tls-certificate.js';
import { PeerConnection } from '../peer/peer-connection.js';
import type { LocalIdentity, ResourceOffer } from '../peer/handshake.js';
import { PiecePicker } from '../picker/piece-picker.js';
import { RequestPlanner, type PieceInProgress } from '../picker/request-planner.js';
import type { HashPool } from '../pieces/hash-pool.js';
import type { ResourceLayout } from '../pieces/resource-layout.js';
import { RejectReason, type BlockRef, type WireMessage } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { WIRE } from '../protocol/wire-limits.js';
import type { ContentStore } from '../storage/content-store.js';
import type { Logger } from '../util/logger.js';
import type { TokenBucket } from '../util/token-bucket.js';
import { BAN_STRIKES, MAX_CONSECUTIVE_TIMEOUTS, PeerSession } from './peer-session.js';
import { SwarmStats } from './swarm-stats.js';
import { PeerCandidates, type Candidate } from './peer-candidates.js';
import { PieceCache } from './piece-cache.js';

export const REQUEST_TIMEOUT_MS = 15_000;
/** Memory for pieces being assembled from blocks, per transfer (twice this when holders of started pieces left). */
const ASSEMBLY_MEMORY_BUDGET = 64 * 1024 * 1024;
const MAX_FAILED_ATTEMPTS_KEPT = 8;
/** Unrequested data a peer may send (late blocks after cancels) before it is dropped. */
const MAX_UNASKED_BYTES = 16 * 1024 * 1024;
/** Stop reading blocks to serve while this much is queued in a peer's socket. */
const MAX_SOCKET_BACKLOG = 1024 * 1024;
const TICK_MS = 500;

class CorruptPieceError extends Error {
  constructor(readonly piece: number) {
    super(`piece ${piece} on disk does not match its hash`);
  }
}

export interface SwarmLimits {
  upload: TokenBucket;
  download: TokenBucket;
  maxPeers: number;
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
  private readonly picker: PiecePicker;
  private readonly planner: RequestPlanner;
  private readonly ticker: NodeJS.Timeout;
  private readonly cache: PieceCache;
  /** Bad bytes of pieces that failed with blocks from several peers, kept to find the liar later. */
  private readonly failedAttempts = new Map<number, { data: Buffer; senders: Map<number, string> }>();
  /** Pieces we hold whose bytes on disk no longer match their hash. */
  private readonly corrupt = new Set<number>();
  private dialing = 0;
  private finalizing = false;
  private destroyed = false;

  constructor(private readonly o: SwarmOptions) {
    super();
    this.picker = new PiecePicker(o.layout.pieceCount, o.store.wantedPieces);
    for (const p of o.store.held.indexes()) this.picker.markHeld(p);
    // Pieces being assembled are held in memory: cap them by a budget, so memory does not grow with piece or resource size.
    const maxInProgress = Math.max(
      2,
      Math.min(2 * o.limits.maxPeers, Math.floor(ASSEMBLY_MEMORY_BUDGET / o.layout.pieceSize)),
    );
    this.planner = new RequestPlanner(this.picker, (p) => o.layout.pieceLength(p), WIRE.blockSize, maxInProgress);
    this.cache = new PieceCache((p) => this.readVerified(p), o.layout.pieceSize);
    this.candidates = new PeerCandidates(o.identity.nodeId, o.ownAddresses ?? []);
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
    if (this.peers.has(id)) return conn.destroy(new PeerRefusedError('already connected'));
    if (this.peers.size >= this.o.limits.maxPeers) return conn.destroy(new PeerRefusedError('too many peers'));
    const session = new PeerSession(conn, this.o.layout.pieceCount);
    this.peers.set(id, session);
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
    conn.on('drain', () => void this.serve(session));
    conn.send({ type: 'haveMap', pieceCount: this.o.layout.pieceCount, bitfield: this.servableBitfield() });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearInterval(this.ticker);
    this.cache.clear();
    for (const s of [...this.peers.values()]) s.conn.destroy();
    this.emit('destroyed');
  }

  private servableBitfield(): Buffer {
    const bits = Buffer.alloc(Math.ceil(this.o.layout.pieceCount / 8));
    for (const p of this.o.store.held.indexes()) if (this.o.store.servable(p)) bits[p >> 3] |= 0x80 >> (p & 7);
    return bits;
  }

  private removePeer(session: PeerSession, err: Error | null): void {
    if (this.peers.get(session.nodeId) !== session) return;
    this.peers.delete(session.nodeId);
    this.candidates.disconnected(session.nodeId);
    for (const p of session.has.indexes()) this.picker.peerLost(p);
    this.planner.releasePeer(session.nodeId);
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
        return this.onRequest(s, m);
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
        return this.onData(s, m.piece, m.offset, m.block);
      default:
        return;
    }
  }

  private peerHas(s: PeerSession, piece: number): void {
    if (s.has.set(piece)) this.picker.peerHas(piece);
  }

  private onRequest(s: PeerSession, ref: BlockRef): void {
    const reject = (reason: (typeof RejectReason)[keyof typeof RejectReason]): void => {
      s.conn.send({ type: 'reject', ...ref, reason });
    };
    if (!s.conn.remote.mayDownload) {
      if (++s.refusedRequests > WIRE.maxQueuedRequests) {
        throw new ProtocolError('too-many-requests', 'keeps requesting without being allowed to download');
      }
      return reject(RejectReason.notAllowed);
    }
    if (ref.piece >= this.o.layout.pieceCount || ref.offset + ref.length > this.o.layout.pieceLength(ref.piece)) {
      return reject(RejectReason.invalid);
    }
    if (!this.o.store.servable(ref.piece) || this.corrupt.has(ref.piece)) return reject(RejectReason.notHeld);
    if (s.uploadQueue.length >= WIRE.maxQueuedRequests) {
      throw new ProtocolError('too-many-requests', `more than ${WIRE.maxQueuedRequests} requests queued`);
    }
    s.uploadQueue.push({ piece: ref.piece, offset: ref.offset, length: ref.length });
    void this.serve(s);
  }

  /** Sends queued blocks to one peer, within the upload limit and without flooding its socket. */
  /**
   * Reads a whole piece to serve and checks it against its hash first: a file changed or
   * damaged on disk after it was published or verified is never sent to anyone.
   */
  private async readVerified(piece: number): Promise<Buffer> {
    const raw = await this.o.store.read(piece, 0, this.o.layout.pieceLength(piece));
    const { hash, data } = await this.o.pool.hashBuffer(raw);
    if (hash !== this.o.pieceHashes[piece]) {
      this.corrupt.add(piece);
      this.o.log.log('error', `piece ${piece} of ${this.name} on disk no longer matches its hash: not serving it`);
      throw new CorruptPieceError(piece);
    }
    return data;
  }

  private async serve(s: PeerSession): Promise<void> {
    if (s.serving) return;
    s.serving = true;
    try {
      while (s.uploadQueue.length > 0 && s.conn.isOpen() && s.conn.backlog() < MAX_SOCKET_BACKLOG) {
        const ref = s.uploadQueue.shift()!;
        if (this.corrupt.has(ref.piece)) {
          s.conn.send({ type: 'reject', ...ref, reason: RejectReason.notHeld });
          continue;
        }
        const block = await this.cache.block(ref.piece, ref.offset, ref.length).catch((err: Error) => {
          if (err instanceof CorruptPieceError) return null;
          throw err;
        });
        if (!block) {
          s.conn.send({ type: 'reject', ...ref, reason: RejectReason.notHeld });
          continue;
        }
        await this.o.limits.upload.take(ref.length);
        if (!s.conn.isOpen()) break;
        s.conn.sendData(ref.piece, ref.offset, block);
        s.uploaded += ref.length;
        this.stats.sent(s.nodeId, s.conn.remote.role, ref.length);
      }
    } catch (err) {
      this.o.log.log('warn', `cannot serve ${s.conn.remote.name}: ${(err as Error).message}`);
      s.conn.destroy(err as Error);
    } finally {
      s.serving = false;
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
      this.blameByComparison(piece, data);
      await this.o.store.store(piece, data);
      this.picker.markHeld(piece);
      this.planner.verified(piece);
      for (const [id, bytes] of contributors)
        this.stats.received(id, this.peers.get(id)?.conn.remote.role ?? 'client', bytes);
      for (const s of this.peers.values()) if (this.o.store.servable(piece)) s.conn.send({ type: 'have', piece });
      this.emit('piece', piece);
      if (this.o.store.isComplete()) await this.complete();
      else this.fillAll();
    } catch (err) {
      if (this.destroyed) return;
      this.o.log.log('error', `cannot store piece ${piece}: ${(err as Error).message}`);
      this.emit('failed', err);
    }
  }

  /**
   * A piece failed its hash. From one sender: that sender is blamed. From several: we keep
   * the bad bytes and fetch the piece again from a single peer; once it verifies, the
   * blocks that differ name the liar (blameByComparison), and honest peers take no blame.
   */
  private onBadPiece(piece: number, data: Buffer, senders: Map<number, string>): void {
    this.stats.piecesFailed++;
    this.stats.wasted += data.length;
    const distinct = new Set(senders.values());
    if (distinct.size === 1) {
      this.blame([...distinct][0], piece);
    } else {
      const names = [...distinct].map((id) => this.peers.get(id)?.conn.remote.name ?? id).join(', ');
      this.o.log.log(
        'warn',
        `piece ${piece} failed its SHA-256 check; blocks came from ${names}: re-fetching it from one peer`,
      );
      this.failedAttempts.set(piece, { data, senders });
      // Bounded: a few failed attempts are plenty to find who lies.
      if (this.failedAttempts.size > MAX_FAILED_ATTEMPTS_KEPT)
        this.failedAttempts.delete(this.failedAttempts.keys().next().value!);
    }
    this.planner.discard(piece, distinct.size > 1);
    this.fillAll();
  }

  /** A piece that failed earlier with mixed senders now verified: whoever sent a block that differs lied. */
  private blameByComparison(piece: number, good: Buffer): void {
    const failed = this.failedAttempts.get(piece);
    if (!failed) return;
    this.failedAttempts.delete(piece);
    const offsets = [...failed.senders.keys()].sort((a, b) => a - b);
    const liars = new Set<string>();
    offsets.forEach((offset, i) => {
      const end = offsets[i + 1] ?? good.length;
      if (!good.subarray(offset, end).equals(failed.data.subarray(offset, end))) liars.add(failed.senders.get(offset)!);
    });
    for (const id of liars) this.blame(id, piece);
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
    if (s.outstanding.size >= depth) return;
    s.conn.batch(() => {
      while (s.outstanding.size < depth) {
        const ref = this.planner.next(s.nodeId, (p) => s.has.has(p));
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
    this.cache.evictIdle();
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
