import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { CredentialVerifier } from '../identity/credential-verifier.js';
import type { TlsMaterial } from '../identity/tls-certificate.js';
import type { LocalIdentity } from '../peer/handshake.js';
import { PEER_TLS_CIPHERS, PeerConnection } from '../peer/peer-connection.js';
import type { Swarm } from '../swarm/swarm.js';
import type { Logger } from '../util/logger.js';

/** Caps unauthenticated connections so a flood of dialers cannot exhaust memory or file descriptors. */
const MAX_PENDING_HANDSHAKES = 64;
/** All connections at once, authenticated or not. */
const MAX_CONNECTIONS = 1024;
/** A dialer that has not finished the TLS handshake by then (a half-open connection) is dropped. */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface PeerListenerOptions {
  tls: TlsMaterial;
  identity: LocalIdentity;
  verifier: CredentialVerifier;
  log: Logger;
  findSwarm(resourceId: string): Swarm | undefined;
}

/** The node's TLS 1.3 endpoint: authenticates each dialer, then hands it to the swarm of the resource it asks for. */
export class PeerListener {
  private server: Server | null = null;
  private pending = 0;
  private readonly sockets = new Set<Socket>();
  /** Raw sockets still waiting for their TLS handshake, and the timer that drops them. */
  private readonly tlsStarted = new WeakMap<Socket, NodeJS.Timeout>();

  constructor(private readonly o: PeerListenerOptions) {}

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
      this.sockets.add(raw);
      raw.once('close', () => this.sockets.delete(raw));
      // Node's handshakeTimeout only runs once a ClientHello arrives: a dialer that connects
      // and stays silent would hold a connection slot forever. Drop it unless TLS completes.
      const silent = setTimeout(() => raw.destroy(), TLS_HANDSHAKE_TIMEOUT_MS);
      silent.unref();
      raw.once('close', () => clearTimeout(silent));
      this.tlsStarted.set(raw, silent);
    });
    server.on('secureConnection', (tls: TLSSocket) => {
      const raw = (tls as unknown as { _parent?: Socket })._parent;
      const timer = raw ? this.tlsStarted.get(raw) : undefined;
      if (timer) clearTimeout(timer);
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
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private onSocket(socket: TLSSocket): void {
    if (this.pending >= MAX_PENDING_HANDSHAKES) return void socket.destroy();
    this.pending++;
    const from = `${socket.remoteAddress}:${socket.remotePort}`;
    PeerConnection.accept(socket, {
      identity: this.o.identity,
      verifier: this.o.verifier,
      resolveOffer: (hello) => this.o.findSwarm(hello.resourceId)?.offer ?? null,
    })
      .then((conn) => {
        const swarm = this.o.findSwarm(conn.offer.resourceId);
        if (!swarm) return conn.destroy(new Error('transfer ended'));
        swarm.addPeer(conn);
      })
      .catch((err: Error) => this.o.log.log('warn', `refused peer at ${from}: ${err.message}`))
      .finally(() => this.pending--);
  }
}
