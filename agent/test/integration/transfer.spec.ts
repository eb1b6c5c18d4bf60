import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { copyFile, mkdir, mkdtemp, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { createServer as createTlsServer } from 'node:tls';
import type { WireMessage } from '../../src/protocol/messages.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeContent, TestAuthority, type TestContent } from '../support/test-authority.js';
import { generateKeyPair } from 'jose';
import { CredentialVerifier } from '../../src/identity/credential-verifier.js';
import { JwksCache } from '../../src/identity/jwks-cache.js';
import { NodeKey } from '../../src/identity/node-keys.js';
import { Revocations } from '../../src/identity/revocations.js';
import { generateTlsMaterial } from '../../src/identity/tls-certificate.js';
import { PeerConnection } from '../../src/peer/peer-connection.js';
import type { Swarm } from '../../src/swarm/swarm.js';
import { hashWithFingerprints } from '../../src/storage/file-fingerprint.js';
import type { HashPool } from '../../src/pieces/hash-pool.js';
import type { TransferSpec } from '../../src/node/transfer-spec.js';

const PIECE = 16 * 1024;

let authority: TestAuthority;
beforeEach(async () => {
  authority = await TestAuthority.start();
});
afterEach(() => authority.close());

const fullBitfield = (count: number) => {
  const bits = Buffer.alloc(Math.ceil(count / 8));
  for (let p = 0; p < count; p++) bits[p >> 3] |= 0x80 >> (p & 7);
  return bits;
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const completed = (swarm: Swarm) =>
  new Promise<void>((resolve, reject) => {
    if (swarm.isComplete()) return resolve();
    swarm.once('complete', resolve);
    swarm.once('failed', reject);
  });

async function expectSameContent(content: TestContent, outDir: string): Promise<void> {
  for (const f of content.files) {
    expect(sha(await readFile(join(outDir, f.path)))).toBe(sha(content.bytes.get(f.path)!));
  }
  expect(await readdir(outDir)).not.toContain('.shoal-partial');
}

async function seedAndSpec(files: { path: string; size: number }[], uploadLimit?: number, pieceSize = PIECE) {
  const { content, spec: base } = await makeContent(files, pieceSize);
  const seed = await authority.node('seed-1', 'seed', { uploadLimit });
  const spec: TransferSpec = {
    ...base,
    trackerUrl: `${authority.url}/api/tracker/announce`,
    ticket: '',
    peers: [],
  };
  seed.node.provide(spec, content.root);
  const downloaderSpec = async (nodeId?: string): Promise<TransferSpec> => ({
    ...spec,
    ticket: await authority.ticket(spec.resourceId, spec.contentId, { node: nodeId }),
    peers: [{ address: seed.node.addresses()[0], nodeId: 'seed-1' }],
  });
  return { content, spec, seed, downloaderSpec };
}

describe('transfer between real agents over TLS on loopback', () => {
  it('one seed and four downloaders: all byte-identical, and the downloaders feed each other', async () => {
    const size = 2 * 1024 * 1024;
    const { content, seed, downloaderSpec } = await seedAndSpec([{ path: 'big.bin', size }], 512 * 1024);
    const downloaders = await Promise.all(['d1', 'd2', 'd3', 'd4'].map((id) => authority.node(id, 'client')));
    const outs = await Promise.all(downloaders.map(() => mkdtemp(join(tmpdir(), 'shoal-out-'))));
    const swarms = await Promise.all(downloaders.map(async (d, i) => d.node.download(await downloaderSpec(), outs[i])));
    await Promise.all(swarms.map(completed));
    for (const out of outs) await expectSameContent(content, out);

    const fromPeers = swarms.reduce((a, s) => a + s.stats.downloadedFromPeers, 0);
    const fromSeeds = swarms.reduce((a, s) => a + s.stats.downloadedFromSeeds, 0);
    expect(fromPeers + fromSeeds).toBe(4 * size);
    // The seed is slow on purpose: most bytes must have come from other downloaders.
    expect(fromPeers).toBeGreaterThan(size);
    expect(swarms.every((s) => s.stats.uploadedToPeers > 0)).toBe(true);
    expect(swarms.every((s) => s.stats.firstPieceAt !== null)).toBe(true);
    // The seed sends 512 KiB/s to four of them: every downloader waited for data it could get.
    expect(Math.max(...swarms.map((s) => s.stats.longestStallMs))).toBeGreaterThan(0);
    const seedSwarm = seed.node.transfers.values().next().value!.swarm;
    // The seed may have sent a few more: end-game duplicates that arrived after a cancel.
    expect(seedSwarm.stats.uploaded).toBeGreaterThanOrEqual(fromSeeds);
  }, 60_000);
});

/** Counts the pieces a node hashes in memory from now on. */
function countHashes(pool: HashPool): () => number {
  let calls = 0;
  const hashBuffer = pool.hashBuffer.bind(pool);
  pool.hashBuffer = (data) => {
    calls++;
    return hashBuffer(data);
  };
  return () => calls;
}

/** Waits until the condition holds; the test's own timeout bounds it, so nothing asserts on time. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

describe('refusals: no byte of content before mutual identification', () => {
  async function attempt(
    ctx: Awaited<ReturnType<typeof seedAndSpec>>,
    make: { nodeId: string; role?: 'seed' | 'client'; credential?: (key: NodeKey) => Promise<string>; ticket?: string },
  ) {
    const key = NodeKey.generate();
    const credential = make.credential ? await make.credential(key) : undefined;
    const bad = await authority.node(make.nodeId, make.role ?? 'client', { key, credential });
    const spec = await ctx.downloaderSpec();
    const swarm = await bad.node.download(
      { ...spec, trackerUrl: null, ticket: make.ticket ?? spec.ticket },
      await mkdtemp(join(tmpdir(), 'shoal-out-')),
    );
    await until(() => ctx.seed.log.lines.some((l) => l.includes('refused peer')));
    await until(() => bad.log.lines.some((l) => l.includes('could not connect')));
    const seedSwarm = ctx.seed.node.transfers.values().next().value!.swarm;
    expect(seedSwarm.stats.uploaded).toBe(0);
    expect(seedSwarm.peerCount()).toBe(0);
    expect(swarm.stats.downloaded).toBe(0);
    return {
      seedLine: ctx.seed.log.lines.find((l) => l.includes('refused peer'))!,
      ownLine: bad.log.lines.find((l) => l.includes('could not connect'))!,
    };
  }

  let ctx: Awaited<ReturnType<typeof seedAndSpec>>;
  beforeEach(async () => {
    ctx = await seedAndSpec([{ path: 'f.bin', size: 40_000 }]);
  });

  it('refuses a node with no credential', async () => {
    const { seedLine, ownLine } = await attempt(ctx, { nodeId: 'anon', credential: async () => '' });
    expect(seedLine).toContain('no node credential');
    expect(ownLine).toContain('peer refused us: no node credential');
  });

  it('refuses a forged credential (signed by another key)', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const { seedLine } = await attempt(ctx, {
      nodeId: 'forger',
      credential: (key) => authority.credential('forger', 'seed', key, { signWith: privateKey }),
    });
    expect(seedLine).toContain('node credential signature is invalid');
  });

  it('refuses an expired credential', async () => {
    const { seedLine } = await attempt(ctx, {
      nodeId: 'late',
      credential: (key) => authority.credential('late', 'client', key, { expiresIn: -300 }),
    });
    expect(seedLine).toContain('node credential expired');
  });

  it('refuses a ticket for another resource', async () => {
    const { seedLine } = await attempt(ctx, {
      nodeId: 'elsewhere',
      ticket: await authority.ticket('other-resource', ctx.spec.contentId),
    });
    expect(seedLine).toContain('download ticket is for resource other-resource');
  });

  it('refuses a ticket bound to another node', async () => {
    const { seedLine } = await attempt(ctx, {
      nodeId: 'borrower',
      ticket: await authority.ticket(ctx.spec.resourceId, ctx.spec.contentId, { node: 'someone-else' }),
    });
    expect(seedLine).toContain('bound to node someone-else');
  });

  it('refuses a client credential without a ticket (it cannot pass for a seed)', async () => {
    const { seedLine } = await attempt(ctx, { nodeId: 'pretender', role: 'client', ticket: '' });
    expect(seedLine).toContain('shows no download ticket and is not a seed server');
  });

  it('refuses a revoked node', async () => {
    const { seedLine } = await attempt(ctx, {
      nodeId: 'gone',
      credential: async (key) => {
        await ctx.seed.node.revoke(['gone']);
        return authority.credential('gone', 'client', key);
      },
    });
    expect(seedLine).toContain('node gone is revoked');
  });

  it('drops a connected node as soon as its revocation is known', async () => {
    const slow = await seedAndSpec([{ path: 'g.bin', size: 400_000 }], 64 * 1024);
    const d = await authority.node('soon-gone', 'client');
    await d.node.download(await slow.downloaderSpec(), await mkdtemp(join(tmpdir(), 'shoal-out-')));
    await until(() => slow.seed.log.lines.some((l) => l.includes('peer connected: soon-gone')));
    await slow.seed.node.revoke(['soon-gone']);
    await until(() => slow.seed.log.lines.some((l) => l.includes('peer disconnected: soon-gone')));
    expect(slow.seed.log.lines.find((l) => l.includes('peer disconnected: soon-gone'))).toContain('revoked');
  });

  it('refuses a replayed handshake: a captured proof fails on another connection', async () => {
    const victimKey = NodeKey.generate();
    const victimCredential = await authority.credential('victim', 'client', victimKey);
    const stateDir = await mkdtemp(join(tmpdir(), 'shoal-replay-'));
    const jwks = new JwksCache(authority.url, join(stateDir, 'jwks.json'));
    const verifier = new CredentialVerifier(jwks.resolver(), new Revocations(null));
    const spec = await ctx.downloaderSpec();
    const [host, port] = ctx.seed.node.addresses()[0].split(':');
    const tls = await generateTlsMaterial('replay');
    const captured: Buffer[] = [];
    const offer = { resourceId: spec.resourceId, contentId: spec.contentId, ticket: spec.ticket };
    const honest = await PeerConnection.dial({
      host,
      port: Number(port),
      offer,
      tls,
      verifier,
      identity: {
        nodeId: 'victim',
        credential: victimCredential,
        sign: (d) => {
          const sig = victimKey.sign(d);
          captured.push(sig);
          return sig;
        },
      },
    });
    honest.destroy();
    await expect(
      PeerConnection.dial({
        host,
        port: Number(port),
        offer,
        tls,
        verifier,
        identity: { nodeId: 'attacker', credential: victimCredential, sign: () => captured[0] },
      }),
    ).rejects.toThrow('proof of possession failed');
    await until(() => ctx.seed.log.lines.some((l) => l.includes('refused peer')));
    expect(ctx.seed.log.lines.find((l) => l.includes('refused peer'))).toContain(
      'proof of possession failed for node victim',
    );
  });
});

describe('hostile downloaders against a provider', () => {
  it('rejects requests outside the resource, closes on an oversized one, and keeps serving honest peers', async () => {
    const ctx = await seedAndSpec([{ path: 'f.bin', size: 100_000 }]);
    const spec = await ctx.downloaderSpec();
    const key = NodeKey.generate();
    const stateDir = await mkdtemp(join(tmpdir(), 'shoal-hostile-'));
    const verifier = new CredentialVerifier(
      new JwksCache(authority.url, join(stateDir, 'jwks.json')).resolver(),
      new Revocations(null),
    );
    const [host, port] = ctx.seed.node.addresses()[0].split(':');
    const conn = await PeerConnection.dial({
      host,
      port: Number(port),
      offer: { resourceId: spec.resourceId, contentId: spec.contentId, ticket: spec.ticket },
      tls: await generateTlsMaterial('hostile'),
      verifier,
      identity: {
        nodeId: 'hostile',
        credential: await authority.credential('hostile', 'client', key),
        sign: (d) => key.sign(d),
      },
    });
    const rejects: WireMessage[] = [];
    conn.on('message', (m: WireMessage) => m.type === 'reject' && rejects.push(m));
    const lastPiece = spec.pieceHashes.length - 1;
    conn.send({ type: 'request', piece: 0, offset: PIECE - 10, length: 100 }); // runs past the piece
    conn.send({ type: 'request', piece: lastPiece, offset: 0, length: PIECE }); // the last piece is short
    conn.send({ type: 'request', piece: lastPiece + 1, offset: 0, length: 10 }); // no such piece
    await until(() => rejects.length === 3);
    expect(rejects.every((r) => r.type === 'reject' && r.reason === 4)).toBe(true);
    const closed = new Promise<Error>((resolve) => conn.once('close', resolve));
    // Larger than any block may be: the encoder refuses it, so write the raw frame.
    const frame = Buffer.alloc(17);
    frame.writeUInt32BE(13, 0);
    frame.writeUInt8(5, 4);
    frame.writeUInt32BE(4 * 1024 * 1024, 13);
    conn.socket.write(frame);
    expect((await closed).message).toContain('oversized');

    // 300 half-open connections (TCP only, no TLS handshake) do not keep an honest peer out.
    const sockets: Socket[] = [];
    for (let i = 0; i < 300; i++) sockets.push(tcpConnect(Number(port), host).on('error', () => undefined));
    const honest = await authority.node('honest', 'client');
    const out = await mkdtemp(join(tmpdir(), 'shoal-out-'));
    const swarm = await honest.node.download(await ctx.downloaderSpec(), out);
    await completed(swarm);
    await expectSameContent(ctx.content, out);
    for (const s of sockets) s.destroy();
  });
});

describe('peer slots shared fairly at a provider', () => {
  /** A dialer with a valid credential and ticket that passes the handshake, then only keeps the connection alive. */
  async function idleDialer(seedAddress: string, spec: TransferSpec, nodeId: string, own?: string) {
    const key = NodeKey.generate();
    const stateDir = await mkdtemp(join(tmpdir(), 'shoal-idle-'));
    const [host, port] = seedAddress.split(':');
    return PeerConnection.dial({
      host,
      port: Number(port),
      offer: { resourceId: spec.resourceId, contentId: spec.contentId, ticket: spec.ticket },
      tls: await generateTlsMaterial(nodeId),
      verifier: new CredentialVerifier(
        new JwksCache(authority.url, join(stateDir, 'jwks.json')).resolver(),
        new Revocations(null),
      ),
      identity: {
        nodeId,
        credential: await authority.credential(nodeId, 'client', key, { own }),
        sign: (d) => key.sign(d),
      },
    });
  }

  it("keeps one member's self-enrolled machines to their share, so another member's download completes", async () => {
    const made = await makeContent([{ path: 'f.bin', size: 200_000 }], PIECE);
    const { content } = made;
    const spec: TransferSpec = { ...made.spec, ticket: '', trackerUrl: null, peers: [] };
    const seed = await authority.node('slot-seed', 'seed', { maxPeers: 4 });
    seed.node.provide(spec, content.root);
    const address = seed.node.addresses()[0];
    const ticketed = async () => ({ ...spec, ticket: await authority.ticket(spec.resourceId, spec.contentId) });
    // A refusal that arrives before the dialer has finished its handshake fails the dial.
    const hoard = await Promise.all(
      Array.from({ length: 6 }, async (_, i) =>
        idleDialer(address, await ticketed(), `hoard-${i}`, 'member-1').catch(() => null),
      ),
    );
    // The seed takes two (an eighth of 4, at least 2) and turns the others away.
    await until(() => seed.log.lines.filter((l) => l.includes('too many peers of one owner')).length === 4);
    await until(() => hoard.filter((c) => c?.isOpen()).length === 2);

    const honest = await authority.node('member-2-laptop', 'client');
    const out = await mkdtemp(join(tmpdir(), 'shoal-out-'));
    const swarm = await honest.node.download(
      { ...(await ticketed()), trackerUrl: null, peers: [{ address, nodeId: null }] },
      out,
    );
    await completed(swarm);
    await expectSameContent(content, out);
    for (const c of hoard) c?.destroy();
  });

  it('gives the slot of a peer idle for long to a newcomer when the provider is full', async () => {
    const made = await makeContent([{ path: 'f.bin', size: 100_000 }], PIECE);
    const { content } = made;
    const spec: TransferSpec = { ...made.spec, ticket: '', trackerUrl: null, peers: [] };
    const seed = await authority.node('idle-seed', 'seed', { maxPeers: 2, idleEvictMs: 300 });
    seed.node.provide(spec, content.root);
    const address = seed.node.addresses()[0];
    const ticketed = async () => ({ ...spec, ticket: await authority.ticket(spec.resourceId, spec.contentId) });
    // Two machines of two owners (token-enrolled: each its own owner) fill the provider and do nothing.
    const idle = [
      await idleDialer(address, await ticketed(), 'idle-1'),
      await idleDialer(address, await ticketed(), 'idle-2'),
    ];
    await until(() => seed.node.transfers.get(spec.resourceId)!.swarm.peerCount() === 2);
    await new Promise((r) => setTimeout(r, 400));

    const honest = await authority.node('newcomer', 'client');
    const out = await mkdtemp(join(tmpdir(), 'shoal-out-'));
    const swarm = await honest.node.download(
      { ...(await ticketed()), trackerUrl: null, peers: [{ address, nodeId: null }] },
      out,
    );
    await completed(swarm);
    await expectSameContent(content, out);
    expect(seed.log.lines.some((l) => /idle-1 \(idle-1\) yields its slot to newcomer/.test(l))).toBe(true);
    expect(idle[0].isOpen()).toBe(false);
    for (const c of idle) c.destroy();
  });
});

describe('bad data, directories, resume', () => {
  /** A hostile peer: passes the handshake with a valid credential, then behaves as `onOpen` makes it. */
  async function startHostilePeer(
    spec: TransferSpec,
    role: 'seed' | 'client',
    onOpen: (conn: PeerConnection) => void,
  ): Promise<{ address: string; close: () => void }> {
    const key = NodeKey.generate();
    const identity = {
      nodeId: 'evil',
      credential: await authority.credential('evil', role, key),
      sign: (d: Buffer) => key.sign(d),
    };
    const stateDir = await mkdtemp(join(tmpdir(), 'shoal-evil-'));
    const verifier = new CredentialVerifier(
      new JwksCache(authority.url, join(stateDir, 'jwks.json')).resolver(),
      new Revocations(null),
    );
    const tls = await generateTlsMaterial('evil');
    const server = createTlsServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.3' }, (socket) => {
      void PeerConnection.accept(socket, { identity, verifier, resolveOffer: () => ({ ...spec, ticket: '' }) }).then(
        onOpen,
        () => undefined,
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    return { address: `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, close: () => server.close() };
  }

  /** Claims every piece and answers requests with bad bytes (random, or the real ones with one byte flipped). */
  function startLiar(spec: TransferSpec, real?: Buffer) {
    return startHostilePeer(spec, 'seed', (conn) => {
      const count = spec.pieceHashes.length;
      conn.send({ type: 'haveMap', pieceCount: count, bitfield: fullBitfield(count) });
      conn.on('message', (m: WireMessage) => {
        if (m.type !== 'request') return;
        const start = m.piece * spec.pieceSize + m.offset;
        const block = real ? Buffer.from(real.subarray(start, start + m.length)) : randomBytes(m.length);
        if (real) block[0] ^= 0xff;
        conn.sendData(m.piece, m.offset, block);
      });
    });
  }

  it.each([
    [
      'floods data nobody asked for',
      (conn: PeerConnection) => {
        for (let i = 0; i < 20 * 16; i++) conn.sendData(0, 0, Buffer.alloc(64 * 1024));
      },
      'bytes of data nobody asked for',
    ],
    [
      'floods requests without being allowed to download',
      (conn: PeerConnection) => {
        for (let i = 0; i < 300; i++) conn.send({ type: 'request', piece: 0, offset: 0, length: 1024 });
      },
      'keeps requesting without being allowed to download',
    ],
    [
      'sends a have-map of the wrong length',
      (conn: PeerConnection) => conn.send({ type: 'haveMap', pieceCount: 9, bitfield: Buffer.alloc(2) }),
      'have-map for 9 pieces',
    ],
  ])(
    'drops a peer that %s, and the download goes on',
    async (_, behave, reason) => {
      const ctx = await seedAndSpec([{ path: 'f.bin', size: 100_000 }]);
      const hostile = await startHostilePeer(ctx.spec, 'client', behave);
      const d = await authority.node('d1', 'client');
      const spec = await ctx.downloaderSpec();
      const out = await mkdtemp(join(tmpdir(), 'shoal-out-'));
      const swarm = await d.node.download(
        { ...spec, trackerUrl: null, peers: [{ address: hostile.address, nodeId: 'evil' }] },
        out,
      );
      await until(() => d.log.lines.some((l) => l.includes('peer disconnected: evil') && l.includes(reason)));
      swarm.addCandidates(spec.peers);
      await completed(swarm);
      await expectSameContent(ctx.content, out);
      hostile.close();
    },
    30_000,
  );

  it('bans a peer that serves corrupt data and still ends with correct content', async () => {
    const ctx = await seedAndSpec([{ path: 'f.bin', size: 300_000 }]);
    const liar = await startLiar(ctx.spec);
    const d = await authority.node('d1', 'client');
    const spec = await ctx.downloaderSpec();
    const out = await mkdtemp(join(tmpdir(), 'shoal-out-'));
    const swarm = await d.node.download(
      { ...spec, trackerUrl: null, peers: [{ address: liar.address, nodeId: 'evil' }] },
      out,
    );
    await until(() => d.log.lines.some((l) => l.includes('banned evil')));
    expect(swarm.stats.piecesFailed).toBeGreaterThanOrEqual(2);
    swarm.addCandidates(spec.peers);
    await completed(swarm);
    await expectSameContent(ctx.content, out);
    expect(swarm.stats.downloadedFromSeeds).toBe(300_000);
    expect(d.log.lines.some((l) => l.includes('evil (evil) sent corrupt data'))).toBe(true);
    liar.close();
  }, 30_000);

  it("blames only the liar when a piece mixes its blocks with an honest peer's", async () => {
    const ctx = await seedAndSpec([{ path: 'f.bin', size: 1024 * 1024 }], 256 * 1024, 128 * 1024);
    const liar = await startLiar(ctx.spec, ctx.content.bytes.get('f.bin'));
    const d = await authority.node('d1', 'client');
    const spec = await ctx.downloaderSpec();
    const out = await mkdtemp(join(tmpdir(), 'shoal-out-'));
    const swarm = await d.node.download(
      { ...spec, trackerUrl: null, peers: [...spec.peers, { address: liar.address, nodeId: 'evil' }] },
      out,
    );
    await completed(swarm);
    await expectSameContent(ctx.content, out);
    expect(swarm.stats.piecesFailed).toBeGreaterThan(0);
    expect(d.log.lines.some((l) => l.includes('evil (evil) sent corrupt data'))).toBe(true);
    expect(d.log.lines.some((l) => l.includes('seed-1 (seed-1) sent corrupt data'))).toBe(false);
    liar.close();
  }, 30_000);

  it('never serves a piece whose bytes changed on disk, and blames no one for it', async () => {
    const ctx = await seedAndSpec([{ path: 'f.bin', size: 300_000 }]);
    // A second seed whose copy was damaged after publishing: its first piece no longer matches.
    const damagedRoot = await mkdtemp(join(tmpdir(), 'shoal-damaged-'));
    const damaged = Buffer.from(ctx.content.bytes.get('f.bin')!);
    damaged[10] ^= 0xff;
    await writeFile(join(damagedRoot, 'f.bin'), damaged);
    const seed2 = await authority.node('seed-2', 'seed');
    seed2.node.provide(ctx.spec, damagedRoot);
    const d = await authority.node('d1', 'client');
    const spec = await ctx.downloaderSpec();
    const out = await mkdtemp(join(tmpdir(), 'shoal-out-'));
    const swarm = await d.node.download(
      { ...spec, trackerUrl: null, peers: [{ address: seed2.node.addresses()[0], nodeId: 'seed-2' }] },
      out,
    );
    await until(() => seed2.log.lines.some((l) => l.includes('piece 0 of test on disk no longer matches its hash')));
    swarm.addCandidates(spec.peers);
    await completed(swarm);
    await expectSameContent(ctx.content, out);
    expect(swarm.stats.piecesFailed).toBe(0);
    expect(d.log.lines.some((l) => l.includes('banned'))).toBe(false);
  }, 30_000);

  it('serves files unchanged since publish hashed them without re-hashing, and re-hashes once one is edited', async () => {
    const ctx = await seedAndSpec([{ path: 'f.bin', size: 300_000 }]);
    const root = await mkdtemp(join(tmpdir(), 'shoal-hashed-'));
    await writeFile(join(root, 'f.bin'), ctx.content.bytes.get('f.bin')!);
    // As publish does; the clock says three seconds later, so the fresh file is not too recent to trust.
    const { unchanged } = await hashWithFingerprints(
      root,
      ctx.spec.files,
      async () => null,
      () => Date.now() + 3000,
    );
    expect(Object.keys(unchanged)).toEqual(['f.bin']);
    const fetchFrom = async (seed: Awaited<ReturnType<typeof authority.node>>, name: string) => {
      const d = await authority.node(name, 'client');
      const spec = await ctx.downloaderSpec();
      const out = await mkdtemp(join(tmpdir(), 'shoal-out-'));
      const swarm = await d.node.download(
        { ...spec, trackerUrl: null, peers: [{ address: seed.node.addresses()[0], nodeId: null }] },
        out,
      );
      return { swarm, out, spec };
    };
    const seed2 = await authority.node('seed-2', 'seed');
    const seed2Hashes = countHashes(seed2.node.pool);
    seed2.node.provide(ctx.spec, root, unchanged);
    const first = await fetchFrom(seed2, 'd1');
    await completed(first.swarm);
    await expectSameContent(ctx.content, first.out);
    expect(seed2Hashes()).toBe(0);

    // Edited in place, same size, modification time put back: the status-change time still moves.
    const before = await stat(join(root, 'f.bin'));
    const edited = Buffer.from(ctx.content.bytes.get('f.bin')!);
    edited[10] ^= 0xff;
    await writeFile(join(root, 'f.bin'), edited);
    await utimes(join(root, 'f.bin'), before.atime, before.mtime);
    // A provider started afresh with the fingerprints publish recorded (as `serve` after a restart).
    const seed3 = await authority.node('seed-3', 'seed');
    const seed3Hashes = countHashes(seed3.node.pool);
    seed3.node.provide(ctx.spec, root, unchanged);
    const second = await fetchFrom(seed3, 'd2');
    await until(() => seed3.log.lines.some((l) => l.includes('piece 0 of test on disk no longer matches its hash')));
    expect(seed3Hashes()).toBeGreaterThan(0);
    second.swarm.addCandidates(second.spec.peers);
    await completed(second.swarm);
    await expectSameContent(ctx.content, second.out);
  }, 30_000);

  it('moves a directory with nested paths and empty files, and fetches only included files', async () => {
    const files = [
      { path: 'kit/readme.txt', size: 1000 },
      { path: 'kit/empty.cfg', size: 0 },
      { path: 'kit/bin/tool', size: 70_000 },
      { path: 'kit/deep/a/b/c/data.bin', size: 50_000 },
      { path: 'kit/deep/nothing', size: 0 },
    ];
    const ctx = await seedAndSpec(files);
    const full = await authority.node('full', 'client');
    const part = await authority.node('part', 'client');
    const outFull = await mkdtemp(join(tmpdir(), 'shoal-out-'));
    const outPart = await mkdtemp(join(tmpdir(), 'shoal-out-'));
    const s1 = await full.node.download(await ctx.downloaderSpec(), outFull);
    const s2 = await part.node.download(await ctx.downloaderSpec(), outPart, ['kit/deep/**']);
    await Promise.all([completed(s1), completed(s2)]);
    await expectSameContent(ctx.content, outFull);
    expect((await stat(join(outFull, 'kit/deep/nothing'))).size).toBe(0);
    expect(
      (await readFile(join(outPart, 'kit/deep/a/b/c/data.bin'))).equals(
        ctx.content.bytes.get('kit/deep/a/b/c/data.bin')!,
      ),
    ).toBe(true);
    expect((await stat(join(outPart, 'kit/deep/nothing'))).size).toBe(0);
    expect(await readdir(join(outPart, 'kit'))).toEqual(['deep']);
    // Only the pieces holding kit/deep/** were fetched (plus at most the straddling edge piece).
    expect(s2.stats.downloaded).toBeLessThanOrEqual(50_000 + 2 * PIECE);
  }, 30_000);

  it('keeps going with known peers when the server disappears mid-download', async () => {
    const size = 600_000;
    const ctx = await seedAndSpec([{ path: 'f.bin', size }], 200 * 1024);
    const state1 = await mkdtemp(join(tmpdir(), 'shoal-state-'));
    const state2 = await mkdtemp(join(tmpdir(), 'shoal-state-'));
    const d1 = await authority.node('d1', 'client', { stateDir: state1 });
    const out1 = await mkdtemp(join(tmpdir(), 'shoal-out-'));
    const out2 = await mkdtemp(join(tmpdir(), 'shoal-out-'));
    const s1 = await d1.node.download(await ctx.downloaderSpec(), out1);
    const spec2 = await ctx.downloaderSpec();
    await new Promise((resolve) => s1.once('piece', resolve));
    await authority.stopServing();
    // d2 starts after the server is gone, with only a JWKS cached on disk by an earlier run.
    await copyFile(join(state1, 'jwks.json'), join(state2, 'jwks.json'));
    const d2 = await authority.node('d2', 'client', { stateDir: state2 });
    const s2 = await d2.node.download(
      { ...spec2, peers: [...spec2.peers, { address: d1.node.addresses()[0], nodeId: 'd1' }] },
      out2,
    );
    await Promise.all([completed(s1), completed(s2)]);
    await expectSameContent(ctx.content, out1);
    await expectSameContent(ctx.content, out2);
    expect(d1.log.lines.some((l) => l.includes('tracker announce failed'))).toBe(true);
  }, 30_000);

  it.each([
    ['beside the pieces (no download state dir)', false],
    ['in the download state dir', true],
  ])(
    'resumes after an abrupt stop without fetching verified pieces again, resume log %s',
    async (_, inDataDir) => {
      const size = 1024 * 1024;
      const ctx = await seedAndSpec([{ path: 'f.bin', size }], 256 * 1024);
      const out = await mkdtemp(join(tmpdir(), 'shoal-out-'));
      const stateDir = await mkdtemp(join(tmpdir(), 'shoal-state-'));
      const downloadStateDir = inDataDir ? join(stateDir, 'downloads') : undefined;
      const first = await authority.node('d1', 'client', { stateDir, downloadStateDir });
      const swarm1 = await first.node.download(await ctx.downloaderSpec(), out);
      let stored = 0;
      await new Promise<void>((resolve) =>
        swarm1.on('piece', () => {
          if (++stored === 20) resolve();
        }),
      );
      await first.node.close();
      const partial = await readdir(join(out, '.shoal-partial'));
      expect(partial).toHaveLength(1);
      expect((await readdir(join(out, '.shoal-partial', partial[0]))).sort()).toEqual(
        inDataDir ? ['files'] : ['files', 'verified.log'],
      );
      if (downloadStateDir)
        expect(await readdir(downloadStateDir)).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.log$/)]);

      const second = await authority.node('d1', 'client', {
        stateDir,
        downloadStateDir,
        key: first.key,
        credential: first.credential,
      });
      const swarm2 = await second.node.download(await ctx.downloaderSpec(), out);
      await completed(swarm2);
      await expectSameContent(ctx.content, out);
      expect(swarm2.stats.downloaded).toBeLessThanOrEqual(size - 20 * PIECE);
      if (downloadStateDir) expect(await readdir(downloadStateDir)).toEqual([]);
    },
    30_000,
  );

  it('finishes a download that was already complete at start, with no peer to fetch from', async () => {
    const { content, spec: base } = await makeContent(
      [
        { path: 'dir/a.bin', size: 50_000 },
        { path: 'dir/empty', size: 0 },
        { path: 'b.bin', size: 30_000 },
      ],
      PIECE,
    );
    // Killed between the last verified piece and the final rename: all in the partial files and the log.
    const out = await mkdtemp(join(tmpdir(), 'shoal-out-'));
    const partial = join(out, '.shoal-partial', base.contentId);
    for (const f of content.files) {
      await mkdir(join(partial, 'files', f.path, '..'), { recursive: true });
      await writeFile(join(partial, 'files', f.path), content.bytes.get(f.path)!);
    }
    const log = Buffer.alloc(4 * base.pieceHashes.length);
    base.pieceHashes.forEach((_, p) => log.writeUInt32BE(p, 4 * p));
    await writeFile(join(partial, 'verified.log'), log);

    const d = await authority.node('d1', 'client');
    const swarm = await d.node.download({ ...base, trackerUrl: null, ticket: '', peers: [] }, out);
    await completed(swarm);
    await expectSameContent(content, out);
    expect(swarm.stats.downloaded).toBe(0);
  });
});

describe('the tracker a transfer announces to', () => {
  it("is always the node's own server's, never the one a spec (a manifest) names", async () => {
    const foreign: string[] = [];
    const listener = createHttpServer((req, res) => {
      foreign.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.end('{"intervalSeconds":30,"peers":[]}');
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    const foreignTracker = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/api/tracker/announce`;
    try {
      const ctx = await seedAndSpec([{ path: 'f.bin', size: 100_000 }]);
      const d1 = await authority.node('d1', 'client');
      const out = await mkdtemp(join(tmpdir(), 'shoal-out-'));
      const swarm = await d1.node.download({ ...(await ctx.downloaderSpec()), trackerUrl: foreignTracker }, out);
      await completed(swarm);
      // One tracker client per transfer, announcing at once: wait for its first announce, wherever it went.
      const announced = () => authority.announces.some((a) => a.nodeId === 'd1');
      while (!announced() && foreign.length === 0) await new Promise((r) => setTimeout(r, 20));
      expect(foreign).toEqual([]);
      expect(announced()).toBe(true);
    } finally {
      listener.closeAllConnections();
      await new Promise((r) => listener.close(r));
    }
  });
});
