import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { CredentialVerifier } from '../identity/credential-verifier.js';
import type { TlsMaterial } from '../identity/tls-certificate.js';
import type { LocalIdentity } from '../peer/handshake.js';
import { PEER_TLS_CIPHERS, PeerConnection, type PeerTimeouts } from '../peer/peer-connection.js';
import type { Swarm } from '../swarm/swarm.js';
import type { Logger } from '../util/logger.js';
import { DEFAULT_HANDSHAKE_GATE_LIMITS, HandshakeGate, sourceOf, type HandshakeGateLimits } from './handshake-gate.js';

/** All connections at once, authenticated or not. */
const MAX_CONNECTIONS = 1024;
/** Connections of one source address still in their TLS handshake: one host cannot take every descriptor. */
const MAX_TLS_PENDING_PER_ADDRESS = 32;
/** A dialer that has not finished the TLS handshake by then (a half-open connection) is dropped. */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface PeerListenerOptions {
  tls: TlsMaterial;
  identity: LocalIdentity;
  verifier: CredentialVerifier;
  log: Logger;
  findSwarm(resourceId: string): Swarm | undefined;
  /** Tests shorten or shrink these. */
  gateLimits?: Partial<HandshakeGateLimits>;
  timeouts?: Partial<PeerTimeouts>;
}

/** The node's TLS 1.3 endpoint: authenticates each dialer, then hands it to the swarm of the resource it asks for. */
export class PeerListener {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  /** Raw sockets still in their TLS handshake, and what ends that phase (timer, per-address count). */
  private readonly tlsStarted = new WeakMap<Socket, () => void>();
  private readonly tlsPendingBy = new Map<string, number>();
  private readonly gate: HandshakeGate;

  constructor(private readonly o: PeerListenerOptions) {
    this.gate = new HandshakeGate({ ...DEFAULT_HANDSHAKE_GATE_LIMITS, ...o.gateLimits });
  }

  /** Handshakes running and dialers waiting for one (status, tests). */
  handshakes(): { running: number; queued: number } {
    return this.gate.counts();
  }

  async listen(host: string, port: number): Promise<number> {
    const server = createServer(
      {
        key: this.o.tls.key,
        cert: this.o.tls.cert,
        minVersion: 'TLSv1.3',
        ciphers: PEER_TLS_CIPHERS,
        honorCipherOrder: true,
        handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
      },
      (socket) => this.onSocket(socket),
    );
    server.maxConnections = MAX_CONNECTIONS;
    server.on('connection', (raw: Socket) => {
      const source = sourceOf(raw.remoteAddress);
      const pendingHere = this.tlsPendingBy.get(source) ?? 0;
      if (pendingHere >= MAX_TLS_PENDING_PER_ADDRESS) return void raw.destroy();
      this.tlsPendingBy.set(source, pendingHere + 1);
      this.sockets.add(raw);
      // Node's handshakeTimeout only runs once a ClientHello arrives: a dialer that connects
      // and stays silent would hold a connection slot forever. Drop it unless TLS completes.
      const silent = setTimeout(() => raw.destroy(), TLS_HANDSHAKE_TIMEOUT_MS);
      silent.unref();
      let tlsDone = false;
      const endTlsPhase = () => {
        if (tlsDone) return;
        tlsDone = true;
        clearTimeout(silent);
        const n = (this.tlsPendingBy.get(source) ?? 1) - 1;
        if (n > 0) this.tlsPendingBy.set(source, n);
        else this.tlsPendingBy.delete(source);
      };
      raw.once('close', () => {
        this.sockets.delete(raw);
        endTlsPhase();
      });
      this.tlsStarted.set(raw, endTlsPhase);
    });
    server.on('secureConnection', (tls: TLSSocket) => {
      const raw = (tls as unknown as { _parent?: Socket })._parent;
      if (raw) this.tlsStarted.get(raw)?.();
    });
    server.on('tlsClientError', (err) => this.o.log.log('debug', `TLS error from a dialer: ${err.message}`));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : port;
  }

  /** Stops accepting and drops every connection it accepted (the node is shutting down). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    this.gate.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private onSocket(socket: TLSSocket): void {
    const from = `${socket.remoteAddress}:${socket.remotePort}`;
    // Until its turn the socket is not read: what the dialer sent waits in its buffers.
    let waiting = true;
    const leaveLine = this.gate.admit(
      socket.remoteAddress,
      (done) => {
        waiting = false;
        if (socket.destroyed) return done();
        PeerConnection.accept(socket, {
          identity: this.o.identity,
          verifier: this.o.verifier,
          timeouts: this.o.timeouts,
          resolveOffer: (hello) => this.o.findSwarm(hello.resourceId)?.offer ?? null,
        })
          .then((conn) => {
            const swarm = this.o.findSwarm(conn.offer.resourceId);
            if (!swarm) return conn.destroy(new Error('transfer ended'));
            swarm.addPeer(conn);
          })
          .catch((err: Error) => this.o.log.log('warn', `refused peer at ${from}: ${err.message}`))
          .finally(done);
      },
      (reason) => {
        this.o.log.log('debug', `dropped dialer at ${from}: ${reason}`);
        socket.destroy();
      },
    );
    if (waiting) socket.once('close', () => waiting && leaveLine());
  }
}
