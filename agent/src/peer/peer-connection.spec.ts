import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { connect as tlsConnect, createServer, type Server, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialVerifier, PeerRefusedError } from '../identity/credential-verifier.js';
import { JwksCache } from '../identity/jwks-cache.js';
import { NodeKey } from '../identity/node-keys.js';
import { Revocations } from '../identity/revocations.js';
import { generateTlsMaterial, type TlsMaterial } from '../identity/tls-certificate.js';
import { TestAuthority } from '../../test/support/test-authority.js';
import { helloFor, type LocalIdentity, type ResourceOffer } from './handshake.js';
import { PeerConnection } from './peer-connection.js';
import { encodeMessage, FrameDecoder } from '../protocol/frame-codec.js';
import type { HelloMessage } from '../protocol/messages.js';
import { WIRE } from '../protocol/wire-limits.js';

let authority: TestAuthority;
let tls: TlsMaterial;
let verifier: CredentialVerifier;
let jwksFile: string;
let server: Server | null = null;
const serverSockets: TLSSocket[] = [];
const offer: ResourceOffer = { resourceId: 'r1', contentId: 'ab'.repeat(32), ticket: '' };

async function identity(nodeId: string, role: 'seed' | 'client'): Promise<LocalIdentity> {
  const key = NodeKey.generate();
  return { nodeId, credential: await authority.credential(nodeId, role, key), sign: (d) => key.sign(d) };
}

/** A TLS listener whose behaviour after accepting is up to the test. */
async function listen(onSocket: (s: TLSSocket) => void): Promise<number> {
  server = createServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.3' }, (s) => {
    serverSockets.push(s);
    onSocket(s);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : 0;
}

beforeAll(async () => {
  authority = await TestAuthority.start();
  tls = await generateTlsMaterial('test');
  const dir = await mkdtemp(join(tmpdir(), 'shoal-peer-'));
  jwksFile = join(dir, 'jwks.json');
  verifier = new CredentialVerifier(new JwksCache(authority.url, jwksFile).resolver(), new Revocations(null));
});
afterAll(() => authority.close());
afterEach(async () => {
  const s = server;
  server = null;
  for (const sock of serverSockets.splice(0)) sock.destroy();
  if (s) await new Promise<void>((r) => s.close(() => r()));
});

describe('peer connection', () => {
  it('gives up on a listener that never answers the handshake', async () => {
    const port = await listen(() => undefined);
    await expect(
      PeerConnection.dial({
        host: '127.0.0.1',
        port,
        offer,
        tls,
        verifier,
        identity: await identity('a', 'seed'),
        timeouts: { handshakeMs: 200 },
      }),
    ).rejects.toThrow('handshake timed out');
  });

  it('closes on an oversized frame before buffering it', async () => {
    const port = await listen((s) => s.write(Buffer.from([0xff, 0xff, 0xff, 0xff])));
    await expect(
      PeerConnection.dial({ host: '127.0.0.1', port, offer, tls, verifier, identity: await identity('a', 'seed') }),
    ).rejects.toThrow('oversized');
  });

  it('drops a peer that goes silent after the handshake, and both ends see the close', async () => {
    const accepted: PeerConnection[] = [];
    const port = await listen((s) => {
      void identity('b', 'seed').then((id) =>
        PeerConnection.accept(s, {
          identity: id,
          verifier,
          resolveOffer: () => offer,
          timeouts: { idleMs: 300 },
        }).then((c) => accepted.push(c)),
      );
    });
    const dialer = await PeerConnection.dial({
      host: '127.0.0.1',
      port,
      offer,
      tls,
      verifier,
      identity: await identity('a', 'seed'),
      // This side never sends keep-alives, so the other end must time it out.
      timeouts: { keepAliveMs: 3_600_000 },
    });
    expect(dialer.remote).toMatchObject({ nodeId: 'b', role: 'seed' });
    const closed = await new Promise<Error>((resolve) => dialer.once('close', resolve));
    expect(closed.message).toMatch(/closed|silent/);
    expect(accepted[0].isOpen()).toBe(false);
  });

  it('reveals nothing of the acceptor to a dialer whose proof fails, and names it once the proof holds', async () => {
    const acceptor = await identity('seed-acc', 'seed');
    const accepted: Promise<PeerConnection | Error>[] = [];
    const port = await listen((s) =>
      accepted.push(
        PeerConnection.accept(s, { identity: acceptor, verifier, resolveOffer: () => offer }).catch((e: Error) => e),
      ),
    );
    // A dialer with a genuine credential (it may harvest it from anywhere) but not its key.
    const dialer = await identity('dialer', 'seed');
    const raw = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    const received: Buffer[] = [];
    raw.on('data', (d: Buffer) => received.push(d));
    await new Promise<void>((r) => raw.once('secureConnect', () => r()));
    raw.write(encodeMessage(helloFor(dialer, offer, randomBytes(WIRE.nonceBytes))));
    await new Promise((r) => setTimeout(r, 300));
    raw.write(encodeMessage({ type: 'auth', signature: Buffer.alloc(64) }));
    await new Promise<void>((r) => raw.once('close', () => r()));
    const messages = new FrameDecoder().push(Buffer.concat(received));
    expect(messages.map((m) => m.type)).toEqual(['hello', 'refuse']);
    const challenge = messages[0] as HelloMessage;
    expect(challenge.credential).toBe('');
    expect(challenge.ticket).toBe('');
    expect(Buffer.concat(received).includes(Buffer.from(acceptor.credential))).toBe(false);
    expect(await accepted[0]).toEqual(
      expect.objectContaining({ message: expect.stringMatching(/proof of possession failed/) }),
    );

    // The same dial with the key completes, and only then learns who the acceptor is.
    const conn = await PeerConnection.dial({ host: '127.0.0.1', port, offer, tls, identity: dialer, verifier });
    expect(conn.remote.nodeId).toBe('seed-acc');
    conn.destroy();
  });

  it('fails the dial of a peer that refuses us and hangs up while we still check its credential', async () => {
    const port = await listen((s) => {
      void identity('busy-seed', 'seed').then((id) =>
        PeerConnection.accept(s, { identity: id, verifier, resolveOffer: () => offer }).then((c) =>
          c.destroy(new PeerRefusedError('no slot for you')),
        ),
      );
    });
    // Our check of the acceptor's credential outlasts its refusal and close.
    class SlowVerifier extends CredentialVerifier {
      override async nodeCredential(token: string) {
        await new Promise((r) => setTimeout(r, 500));
        return super.nodeCredential(token);
      }
    }
    const slow = new SlowVerifier(new JwksCache(authority.url, jwksFile).resolver(), new Revocations(null));
    await expect(
      PeerConnection.dial({
        host: '127.0.0.1',
        port,
        offer,
        tls,
        verifier: slow,
        identity: await identity('a', 'seed'),
      }),
    ).rejects.toThrow('peer refused us: no slot for you');
  });
});
