import { mkdtemp } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialVerifier } from '../identity/credential-verifier.js';
import { JwksCache } from '../identity/jwks-cache.js';
import { NodeKey } from '../identity/node-keys.js';
import { Revocations } from '../identity/revocations.js';
import { generateTlsMaterial, type TlsMaterial } from '../identity/tls-certificate.js';
import type { LocalIdentity, ResourceOffer } from '../peer/handshake.js';
import { PeerConnection } from '../peer/peer-connection.js';
import type { Swarm } from '../swarm/swarm.js';
import { TestAuthority } from '../../test/support/test-authority.js';
import { MemoryLogger } from '../../test/support/memory-logger.js';
import { PeerListener } from './peer-listener.js';

let authority: TestAuthority;
let tls: TlsMaterial;
let verifier: CredentialVerifier;
let listener: PeerListener | null = null;
const sockets: Socket[] = [];
const offer: ResourceOffer = { resourceId: 'r1', contentId: 'cd'.repeat(32), ticket: '' };

async function identity(nodeId: string): Promise<LocalIdentity> {
  const key = NodeKey.generate();
  return { nodeId, credential: await authority.credential(nodeId, 'seed', key), sign: (d) => key.sign(d) };
}

/** A listener whose swarm only records who joined. */
async function startListener(joined: PeerConnection[]): Promise<number> {
  const swarm = { offer, addPeer: (c: PeerConnection) => joined.push(c) } as unknown as Swarm;
  listener = new PeerListener({
    tls,
    identity: await identity('seed'),
    verifier,
    log: new MemoryLogger(),
    findSwarm: (id) => (id === offer.resourceId ? swarm : undefined),
    gateLimits: { running: 4, runningPerAddress: 2, perAddress: 4, queued: 16, queueWaitMs: 10_000 },
    timeouts: { firstHelloMs: 400 },
  });
  return listener.listen('127.0.0.1', 0);
}

/** Finishes TLS from `localAddress`, then says nothing (but reads, so it sees the close). */
function silentTls(port: number, localAddress: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port, localAddress });
    const s = tlsConnect({ socket, rejectUnauthorized: false }, () => resolve(s));
    s.resume();
    s.on('error', () => undefined);
    s.once('error', reject);
    sockets.push(s);
  });
}

const closed = (s: Socket) => new Promise<void>((r) => (s.closed ? r() : s.once('close', () => r())));

beforeAll(async () => {
  authority = await TestAuthority.start();
  tls = await generateTlsMaterial('test');
  const dir = await mkdtemp(join(tmpdir(), 'shoal-listener-'));
  verifier = new CredentialVerifier(
    new JwksCache(authority.url, join(dir, 'jwks.json')).resolver(),
    new Revocations(null),
  );
});
afterAll(() => authority.close());
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await listener?.close();
  listener = null;
});

describe('peer listener under silent dialers', () => {
  it('keeps an honest dialer waiting in line, not refused, while silent ones hold every slot, and serves it once they time out', async () => {
    const joined: PeerConnection[] = [];
    const port = await startListener(joined);
    const silent = await Promise.all(
      ['127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3', '127.0.0.4', '127.0.0.4', '127.0.0.5', '127.0.0.5'].map(
        (a) => silentTls(port, a),
      ),
    );
    for (let i = 0; i < 50 && listener!.handshakes().running + listener!.handshakes().queued < 8; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(listener!.handshakes()).toEqual({ running: 4, queued: 4 });

    const honest = await PeerConnection.dial({
      host: '127.0.0.1',
      port,
      offer,
      tls,
      verifier,
      identity: await identity('honest'),
    });
    expect(honest.remote.nodeId).toBe('seed');
    expect(joined.map((c) => c.remote.nodeId)).toEqual(['honest']);
    honest.destroy();
    // Every silent dialer was dropped at its first-hello deadline.
    await Promise.all(silent.map(closed));
  });

  it('drops the connections of one address beyond its share at once, and other addresses still get through', async () => {
    const joined: PeerConnection[] = [];
    const port = await startListener(joined);
    const flood = await Promise.all(Array.from({ length: 6 }, () => silentTls(port, '127.0.0.6')));
    // Two run, two wait; the rest are over the address's share and closed without waiting for a deadline.
    const early = await Promise.all(
      flood.map((s) => Promise.race([closed(s).then(() => 1), new Promise<number>((r) => setTimeout(r, 250, 0))])),
    );
    expect(early.reduce((a, b) => a + b, 0)).toBe(2);
    const other = await PeerConnection.dial({
      host: '127.0.0.1',
      port,
      offer,
      tls,
      verifier,
      identity: await identity('other'),
    });
    expect(joined.map((c) => c.remote.nodeId)).toEqual(['other']);
    other.destroy();
  });

  it('closes raw connections of one address beyond 32 still before TLS', async () => {
    const port = await startListener([]);
    const raw = await Promise.all(
      Array.from(
        { length: 40 },
        () =>
          new Promise<Socket>((resolve) => {
            const s = netConnect({ host: '127.0.0.1', port, localAddress: '127.0.0.7' }, () => resolve(s));
            s.on('error', () => undefined);
            sockets.push(s);
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(raw.filter((s) => s.closed || s.readableEnded).length).toBe(8);
  });
});
