import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialVerifier } from '../identity/credential-verifier.js';
import { JwksCache } from '../identity/jwks-cache.js';
import { NodeKey } from '../identity/node-keys.js';
import { Revocations } from '../identity/revocations.js';
import { generateTlsMaterial, type TlsMaterial } from '../identity/tls-certificate.js';
import { TestAuthority } from '../testing/test-authority.js';
import type { LocalIdentity, ResourceOffer } from './handshake.js';
import { PeerConnection } from './peer-connection.js';

let authority: TestAuthority;
let tls: TlsMaterial;
let verifier: CredentialVerifier;
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
  verifier = new CredentialVerifier(
    new JwksCache(authority.url, join(dir, 'jwks.json')).resolver(),
    new Revocations(null),
  );
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
});
