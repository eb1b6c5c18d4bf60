import type { HashPool } from '../pieces/hash-pool.js';
import type { PieceBuffers } from '../pieces/piece-buffers.js';
import type { ResourceLayout } from '../pieces/resource-layout.js';
import { RejectReason, type BlockRef, type RejectReasonCode } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { WIRE } from '../protocol/wire-limits.js';
import type { ContentStore } from '../storage/content-store.js';
import type { Logger } from '../util/logger.js';
import type { TokenBucket } from '../util/token-bucket.js';
import type { PeerSession } from './peer-session.js';
import { PieceCache } from './piece-cache.js';
import type { SwarmStats } from './swarm-stats.js';

/** Stop reading blocks to serve while this much is queued in a peer's socket. */
const MAX_SOCKET_BACKLOG = 1024 * 1024;
/** Pieces read ahead of the one being sent, from a peer's queue, so the disk read and hash overlap sending. */
const READ_AHEAD_PIECES = 2;

class CorruptPieceError extends Error {
  constructor(readonly piece: number) {
    super(`piece ${piece} on disk does not match its hash`);
  }
}

export interface PieceServerOptions {
  name: string;
  layout: ResourceLayout;
  pieceHashes: readonly string[];
  store: ContentStore;
  pool: HashPool;
  /** Piece buffers shared with the downloading half of the transfer. */
  buffers: PieceBuffers;
  upload: TokenBucket;
  stats: SwarmStats;
  log: Logger;
}

/**
 * The providing half of a transfer: checks each request, queues it per peer (bounded),
 * and sends blocks within the upload limit without flooding a socket. Every piece is
 * re-checked against its hash when read from disk, so content damaged or changed on
 * disk is refused, never sent, unless its files provably are the bytes that were hashed
 * (same fingerprint as when publish hashed them, checked after each read): that check
 * costs an fstat instead of SHA-256 over the piece, which was a fifth of a seed's CPU.
 * Downloaders verify every piece they receive either way.
 */
export class PieceServer {
  private readonly cache: PieceCache;
  /** Pieces we hold whose bytes on disk no longer match their hash. */
  private readonly corrupt = new Set<number>();

  constructor(private readonly o: PieceServerOptions) {
    this.cache = new PieceCache(
      (p) => this.readVerified(p),
      o.layout.pieceSize,
      (buf) => o.buffers.give(buf),
    );
  }

  servable(piece: number): boolean {
    return this.o.store.servable(piece) && !this.corrupt.has(piece);
  }

  /** A peer asked for a block: queue it, or reject it with the reason. Throws on abuse (caller closes). */
  request(s: PeerSession, ref: BlockRef): void {
    if (!s.conn.remote.mayDownload) {
      if (++s.refusedRequests > WIRE.maxQueuedRequests) {
        throw new ProtocolError('too-many-requests', 'keeps requesting without being allowed to download');
      }
      return this.reject(s, ref, RejectReason.notAllowed);
    }
    const { layout } = this.o;
    if (ref.piece >= layout.pieceCount || ref.offset + ref.length > layout.pieceLength(ref.piece)) {
      return this.reject(s, ref, RejectReason.invalid);
    }
    if (!this.servable(ref.piece)) return this.reject(s, ref, RejectReason.notHeld);
    if (s.uploadQueue.length >= WIRE.maxQueuedRequests) {
      throw new ProtocolError('too-many-requests', `more than ${WIRE.maxQueuedRequests} requests queued`);
    }
    s.uploadQueue.push({ piece: ref.piece, offset: ref.offset, length: ref.length });
    void this.pump(s);
  }

  /** Sends queued blocks to one peer; called again when its socket drains. */
  async pump(s: PeerSession): Promise<void> {
    if (s.serving) return;
    s.serving = true;
    try {
      while (s.uploadQueue.length > 0 && s.conn.isOpen() && s.conn.backlog() < MAX_SOCKET_BACKLOG) {
        const ref = s.uploadQueue.shift()!;
        this.readAhead(s, ref.piece);
        const block = this.corrupt.has(ref.piece)
          ? null
          : await this.cache.lease(ref.piece, ref.offset, ref.length).catch(notIfCorrupt);
        if (!block) {
          this.reject(s, ref, RejectReason.notHeld);
          continue;
        }
        try {
          await this.o.upload.take(ref.length);
        } catch (err) {
          block.release();
          throw err;
        }
        if (!s.conn.isOpen()) {
          block.release();
          break;
        }
        // The lease ends when the socket is done with the bytes, not when write() returns.
        s.conn.sendData(ref.piece, ref.offset, block.bytes, block.release);
        s.uploaded += ref.length;
        this.o.stats.sent(s.conn.remote.role, ref.length);
      }
    } catch (err) {
      this.o.log.log('warn', `cannot serve ${s.conn.remote.name}: ${(err as Error).message}`);
      s.conn.destroy(err as Error);
    } finally {
      s.serving = false;
    }
  }

  evictIdle(): void {
    this.cache.evictIdle();
  }

  /** A piece we just verified and stored: serve it from memory. False when the caller keeps the buffer. */
  adopt(piece: number, data: Buffer): boolean {
    return this.cache.adopt(piece, data);
  }

  private readAhead(s: PeerSession, current: number): void {
    let ahead = 0;
    let last = current;
    for (const r of s.uploadQueue) {
      if (r.piece === last || this.corrupt.has(r.piece)) continue;
      this.cache.prefetch(r.piece);
      last = r.piece;
      if (++ahead >= READ_AHEAD_PIECES) break;
    }
  }

  clear(): void {
    this.cache.clear();
  }

  private reject(s: PeerSession, ref: BlockRef, reason: RejectReasonCode): void {
    s.conn.send({ type: 'reject', piece: ref.piece, offset: ref.offset, length: ref.length, reason });
  }

  private async readVerified(piece: number): Promise<Buffer> {
    const length = this.o.layout.pieceLength(piece);
    const buf = this.o.buffers.take(length);
    let raw: Buffer;
    try {
      raw = await this.o.store.read(piece, 0, length, buf);
    } catch (err) {
      this.o.buffers.give(buf);
      throw err;
    }
    // Checked after the read: a change before or during it shows in the fingerprint.
    if (await this.o.store.unchangedSinceHashed(piece).catch(() => false)) return raw;
    const { hash, data } = await this.o.pool.hashBuffer(raw);
    if (hash !== this.o.pieceHashes[piece]) {
      this.o.buffers.give(data);
      this.corrupt.add(piece);
      this.o.log.log('error', `piece ${piece} of ${this.o.name} on disk no longer matches its hash: not serving it`);
      throw new CorruptPieceError(piece);
    }
    return data;
  }
}

function notIfCorrupt(err: Error): null {
  if (err instanceof CorruptPieceError) return null;
  throw err;
}
