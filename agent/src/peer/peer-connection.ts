import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { OnReadOpts } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { PeerRefusedError, type CredentialVerifier } from '../identity/credential-verifier.js';
import type { TlsMaterial } from '../identity/tls-certificate.js';
import { encodeDataFrame, encodeMessage, FrameDecoder, retainMessage } from '../protocol/frame-codec.js';
import type { HelloMessage, WireMessage } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { WIRE } from '../protocol/wire-limits.js';
import {
  authPayload,
  CHANNEL_BINDING_LABEL,
  checkSameResource,
  helloFor,
  verifyAuth,
  verifyHello,
  type HandshakeSide,
  type LocalIdentity,
  type ResourceOffer,
  type VerifiedPeer,
} from './handshake.js';

/** Named timeouts of a peer connection; tests shorten them. */
export interface PeerTimeouts {
  connectMs: number;
  handshakeMs: number;
  /**
   * An acceptor drops a dialer whose hello has not fully arrived by then: an honest dialer
   * sends it with its first bytes, and a silent one must not hold a handshake slot for long.
   */
  firstHelloMs: number;
  /** A peer that sends nothing at all (not even a keep-alive) for this long is dropped. */
  idleMs: number;
  /** We send a keep-alive when we sent nothing for this long. */
  keepAliveMs: number;
}

/**
 * TLS 1.3 suites, fastest first on CPUs with AES instructions: AES-128-GCM costs less CPU
 * per byte than the default AES-256-GCM, and a transfer is CPU-bound on both ends.
 */
export const PEER_TLS_CIPHERS = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';
/** Bytes read per TLS read on a dialed connection, into one buffer reused for the connection's life. */
const READ_BUFFER_BYTES = 128 * 1024;

const DEFAULT_PEER_TIMEOUTS: PeerTimeouts = {
  connectMs: 10_000,
  handshakeMs: 15_000,
  firstHelloMs: 5_000,
  idleMs: 60_000,
  keepAliveMs: 20_000,
};

export interface HandshakeOptions {
  identity: LocalIdentity;
  verifier: CredentialVerifier;
  timeouts?: Partial<PeerTimeouts>;
}

export interface DialOptions extends HandshakeOptions {
  host: string;
  port: number;
  offer: ResourceOffer;
  tls: TlsMaterial;
}

export interface AcceptOptions extends HandshakeOptions {
  /** Our offer for the resource the dialer names, or null when we do not have it. */
  resolveOffer(hello: HelloMessage): ResourceOffer | null;
}

/**
 * One authenticated connection to another agent: a TLS 1.3 socket plus the frame codec.
 * No content flows until both sides verified each other (see handshake.ts). Every error,
 * timeout and close ends in `destroy(err)`, which emits 'close' exactly once.
 */
export class PeerConnection extends EventEmitter {
  remote!: VerifiedPeer;
  offer!: ResourceOffer;
  private readonly decoder = new FrameDecoder();
  private open = false;
  private destroyed = false;
  /** Why it was destroyed, for a handshake step that starts after the fact. */
  private destroyedBy: Error | null = null;
  private handshakeQueue: WireMessage[] = [];
  private handshakeWaiter: ((m: WireMessage | Error) => void) | null = null;
  private lastReceived = Date.now();
  private lastSent = Date.now();
  private readonly ticker: NodeJS.Timeout;

  private constructor(
    readonly socket: TLSSocket,
    readonly side: HandshakeSide,
    readonly address: string,
    private readonly timeouts: PeerTimeouts,
    /** The socket hands its bytes to onData itself (read into a reused buffer), not as 'data' events. */
    readsIntoBuffer = false,
  ) {
    super();
    socket.setNoDelay(true);
    if (!readsIntoBuffer) socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy(new Error('connection closed by peer')));
    socket.on('drain', () => this.emit('drain'));
    this.ticker = setInterval(() => this.tick(), Math.min(1000, timeouts.idleMs / 4, timeouts.keepAliveMs / 2));
    this.ticker.unref();
  }

  /** Dials a peer and runs the handshake as initiator; rejects with the reason if refused. */
  static async dial(opts: DialOptions): Promise<PeerConnection> {
    const timeouts = { ...DEFAULT_PEER_TIMEOUTS, ...opts.timeouts };
    let conn: PeerConnection | null = null;
    // tls.connect takes net's `onread` (documented since Node 14); @types/node lacks it on ConnectionOptions.
    const options: ConnectionOptions & { onread: OnReadOpts } = {
      host: opts.host,
      port: opts.port,
      key: opts.tls.key,
      cert: opts.tls.cert,
      minVersion: 'TLSv1.3',
      ciphers: PEER_TLS_CIPHERS,
      // Peers are authenticated by credential + exporter-bound signature, not by a CA (docs/protocol.md).
      rejectUnauthorized: false,
      timeout: timeouts.connectMs,
      // Decrypted bytes land in one buffer reused for every read instead of a new Buffer per
      // read (GC pressure at hundreds of MB/s); the decoder copies what it keeps.
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
        callback: (bytes: number, buf: Uint8Array) => {
          conn?.onData(Buffer.from(buf.buffer, buf.byteOffset, bytes));
          return true;
        },
      },
    };
    const socket = tlsConnect(options);
    conn = new PeerConnection(socket, 'initiator', `${opts.host}:${opts.port}`, timeouts, true);
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => {
        socket.setTimeout(0);
        resolve();
      });
      socket.once('error', reject);
      socket.once('timeout', () => reject(new Error('connect timed out')));
    });
    await conn.handshake(opts, opts.offer);
    return conn;
  }

  /** Runs the handshake as acceptor on a socket our TLS server accepted. */
  static async accept(socket: TLSSocket, opts: AcceptOptions): Promise<PeerConnection> {
    const conn = new PeerConnection(socket, 'acceptor', `${socket.remoteAddress}:${socket.remotePort}`, {
      ...DEFAULT_PEER_TIMEOUTS,
      ...opts.timeouts,
    });
    await conn.handshake(opts, null, opts.resolveOffer);
    return conn;
  }

  isOpen(): boolean {
    return this.open && !this.destroyed;
  }

  /** Queues a message; false when the socket buffer is full (wait for 'drain'). */
  send(msg: WireMessage): boolean {
    if (this.destroyed) return false;
    const bytes = encodeMessage(msg);
    this.lastSent = Date.now();
    return this.socket.write(bytes);
  }

  /**
   * Sends a data block without copying it into a frame first (the hot path of serving).
   * `written` runs once the socket no longer needs the block's bytes (sent, or the
   * connection failed), so the caller may reuse them only then.
   */
  sendData(piece: number, offset: number, block: Buffer, written: () => void = () => undefined): boolean {
    if (this.destroyed) {
      written();
      return false;
    }
    const [head, body] = encodeDataFrame(piece, offset, block);
    this.lastSent = Date.now();
    this.socket.cork();
    this.socket.write(head);
    const ok = this.socket.write(body, () => written());
    this.socket.uncork();
    return ok;
  }

  /** Runs `fn` with writes coalesced: many small messages (requests) go out in one TLS record and syscall. */
  batch(fn: () => void): void {
    if (this.destroyed) return;
    this.socket.cork();
    try {
      fn();
    } finally {
      this.socket.uncork();
    }
  }

  /** Bytes queued in the socket but not yet sent. */
  backlog(): number {
    return this.socket.writableLength;
  }

  destroy(err?: Error): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.destroyedBy = err ?? new Error('connection closed');
    clearInterval(this.ticker);
    this.handshakeWaiter?.(err ?? new Error('connection closed'));
    this.handshakeWaiter = null;
    if (err instanceof PeerRefusedError || err instanceof ProtocolError) {
      // Tell the peer why before closing, so both logs say the same thing.
      this.socket.end(encodeMessage({ type: 'refuse', reason: err.message }));
      setTimeout(() => this.socket.destroy(), 200).unref();
    } else {
      this.socket.destroy();
    }
    const wasOpen = this.open;
    this.open = false;
    if (wasOpen) this.emit('close', err ?? null);
  }

  private async handshake(
    opts: HandshakeOptions,
    dialOffer: ResourceOffer | null,
    resolveOffer?: (hello: HelloMessage) => ResourceOffer | null,
  ): Promise<void> {
    const timer = setTimeout(
      () => this.destroy(new PeerRefusedError('handshake timed out')),
      this.timeouts.handshakeMs,
    );
    try {
      const exporter = this.socket.exportKeyingMaterial(32, CHANNEL_BINDING_LABEL, Buffer.alloc(0));
      const nonce = randomBytes(WIRE.nonceBytes);
      let offer: ResourceOffer;
      if (dialOffer) {
        offer = dialOffer;
        this.offer = offer;
        const ownHello = helloFor(opts.identity, offer, nonce);
        this.send(ownHello);
        // The acceptor first answers anonymously (nonce only) and names itself only once it
        // has checked our proof, so a listener cannot harvest anything without proving itself.
        const challenge = await this.expect('hello');
        checkSameResource(challenge, offer);
        if (challenge.credential || challenge.ticket)
          throw new PeerRefusedError('acceptor revealed its identity before checking ours');
        this.send({
          type: 'auth',
          signature: opts.identity.sign(authPayload('initiator', exporter, ownHello, challenge)),
        });
        const acceptorHello = await this.expect('hello');
        if (!acceptorHello.nonce.equals(challenge.nonce)) throw new PeerRefusedError('acceptor changed its nonce');
        const remote = await verifyHello(acceptorHello, offer, opts.verifier, opts.identity.nodeId);
        const auth = await this.expect('auth');
        verifyAuth(remote, authPayload('acceptor', exporter, ownHello, acceptorHello), auth.signature);
        this.remote = remote;
      } else {
        const silent = setTimeout(
          () => this.destroy(new PeerRefusedError('no hello in time')),
          this.timeouts.firstHelloMs,
        );
        const peerHello = await this.expect('hello').finally(() => clearTimeout(silent));
        const found = resolveOffer!(peerHello);
        if (!found) throw new PeerRefusedError(`resource ${peerHello.resourceId} is not provided here`);
        offer = found;
        this.offer = offer;
        const remote = await verifyHello(peerHello, offer, opts.verifier, opts.identity.nodeId);
        if (!remote.mayDownload) {
          throw new PeerRefusedError(`node ${remote.nodeId} shows no download ticket and is not a seed server`);
        }
        const challenge: HelloMessage = { ...helloFor(opts.identity, { ...offer, ticket: '' }, nonce), credential: '' };
        this.send(challenge);
        const auth = await this.expect('auth');
        verifyAuth(remote, authPayload('initiator', exporter, peerHello, challenge), auth.signature);
        // Only a dialer that proved its key learns who we are.
        const ownHello = helloFor(opts.identity, offer, nonce);
        this.send(ownHello);
        this.send({
          type: 'auth',
          signature: opts.identity.sign(authPayload('acceptor', exporter, peerHello, ownHello)),
        });
        this.remote = remote;
      }
      // The peer may refuse us and hang up while we still check its credential (an async
      // step): its last frames are queued by then, so the handshake would seem to succeed
      // on a connection already destroyed, which would never emit 'close'.
      if (this.destroyed) {
        const refusal = this.handshakeQueue.find((m) => m.type === 'refuse');
        throw refusal ? new Error(`peer refused us: ${refusal.reason}`) : this.destroyedBy!;
      }
      this.open = true;
      // Messages that arrived with the last handshake frames (a have-map sent right after
      // the peer's auth) wait for whoever takes the connection: emitted before a 'message'
      // listener exists, they would be lost and the peer would look empty.
      const early = this.handshakeQueue;
      this.handshakeQueue = [];
      if (early.length > 0) {
        const flush = () => queueMicrotask(() => early.forEach((m) => this.deliver(m)));
        if (this.listenerCount('message') > 0) flush();
        else
          this.on('newListener', function onListener(this: PeerConnection, event: string | symbol) {
            if (event !== 'message') return;
            this.off('newListener', onListener);
            flush();
          });
      }
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.destroy(e);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private async expect<T extends WireMessage['type']>(type: T): Promise<Extract<WireMessage, { type: T }>> {
    for (;;) {
      const msg =
        this.handshakeQueue.shift() ??
        // Destroyed while we were busy: no message will come to wake a waiter.
        (this.destroyed
          ? this.destroyedBy!
          : await new Promise<WireMessage | Error>((resolve) => {
              this.handshakeWaiter = resolve;
            }));
      if (msg instanceof Error) throw msg;
      if (msg.type === 'keepAlive') continue;
      if (msg.type === 'refuse') throw new Error(`peer refused us: ${msg.reason}`);
      if (msg.type !== type)
        throw new ProtocolError('unexpected', `expected ${type} during handshake, got ${msg.type}`);
      return msg as Extract<WireMessage, { type: T }>;
    }
  }

  private onData(chunk: Buffer): void {
    if (this.destroyed) return;
    this.lastReceived = Date.now();
    let messages: WireMessage[];
    try {
      messages = this.decoder.push(chunk);
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    for (const m of messages) {
      if (this.destroyed) return;
      // Delivered messages are handled at once; held ones must outlive the decoder's buffer.
      if (this.open) this.deliver(m);
      else if (this.handshakeWaiter) {
        const w = this.handshakeWaiter;
        this.handshakeWaiter = null;
        w(retainMessage(m));
      } else this.handshakeQueue.push(retainMessage(m));
    }
  }

  private deliver(m: WireMessage): void {
    if (m.type === 'keepAlive') return;
    if (m.type === 'refuse') return this.destroy(new Error(`peer closed: ${m.reason}`));
    if (m.type === 'hello' || m.type === 'auth')
      return this.destroy(new ProtocolError('unexpected', `${m.type} after handshake`));
    this.emit('message', m);
  }

  private tick(): void {
    const now = Date.now();
    if (now - this.lastReceived > this.timeouts.idleMs) return this.destroy(new Error('peer silent, timed out'));
    if (this.open && now - this.lastSent > this.timeouts.keepAliveMs) this.send({ type: 'keepAlive' });
  }
}
