/**
 * A peer that serves corrupt pieces, enrolled with the real server and announced to its
 * real tracker, against a real `shoal get`: the downloader bans it, completes from the
 * honest seed with correct bytes, and when the banned peer comes back (dialing the
 * downloader it found through the tracker, with a valid ticket of its own) it is refused
 * and gets nothing. The liar is the agent's wire code in this process, since a real agent
 * checks every piece it serves.
 */
import { parseManifest } from '@shoal/contract';
import { generateTlsMaterial } from '@shoal/agent';
import { randomBytes, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { CredentialVerifier } from '../../../agent/dist/identity/credential-verifier.js';
import { JwksCache } from '../../../agent/dist/identity/jwks-cache.js';
import { Revocations } from '../../../agent/dist/identity/revocations.js';
import { PeerConnection } from '../../../agent/dist/peer/peer-connection.js';
import type { WireMessage } from '../../../agent/dist/protocol/messages.js';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { nodeKey } from '../harness/fixtures.js';
import { ADMIN_PASSWORD, freePort, startServer, type RunningServer } from '../harness/server.js';

const SIZE = 2 * 1024 * 1024;

const fullBitfield = (count: number) => {
  const bits = Buffer.alloc(Math.ceil(count / 8));
  for (let p = 0; p < count; p++) bits[p >> 3] |= 0x80 >> (p & 7);
  return bits;
};

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a peer banned for corrupt data, against the real server and agents', () => {
  let server: RunningServer;
  let admin: Api;
  let uma: Api;
  let tlsServer: TlsServer | null = null;
  const running: ShoalProcess[] = [];
  const liarConnections: PeerConnection[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { SHOAL_BUILTIN_SEED: 'off' } });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    expect(
      (await admin.post('/api/admin/users', { username: 'uma', password: 'uma-password-1', role: 'member' })).status,
    ).toBe(201);
    uma = await new Api(server.url).login('uma', 'uma-password-1');
  });

  afterAll(async () => {
    for (const c of liarConnections) c.destroy();
    tlsServer?.close();
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  it('bans the liar, completes from the honest seed, and refuses the liar when it dials back', async () => {
    // The honest seed, slowed so the liar is asked for pieces before the download is done.
    const seed = new Agent('honest-seed');
    await seed.enroll(admin, { role: 'seed', name: 'honest-seed', listen: `127.0.0.1:${await freePort()}` });
    await seed.login(server.url, 'admin', ADMIN_PASSWORD);
    mkdirSync(join(seed.dataDir, 'content'));
    const content = randomBytes(SIZE);
    writeFileSync(join(seed.dataDir, 'content', 'image.bin'), content);
    const resourceId = await seed.publish(join(seed.dataDir, 'content', 'image.bin'), ['--name', 'image']);
    const serve = seed.spawn(['serve', '--upload-limit', '512K']);
    running.push(serve);
    await until('the seed to serve', () => serve.stderr().includes('serving on'));

    // The liar: one of uma's machines, enrolled with her login, holding a ticket of its own.
    const key = nodeKey();
    const enrolled = await uma.post('/api/nodes/enroll', {
      name: 'liar',
      role: 'client',
      addresses: [],
      publicKey: key.publicJwk,
    });
    expect(enrolled.status).toBe(201);
    const liarId = enrolled.body.nodeId as string;
    const liarApi = new Api(server.url).asNode(enrolled.body.credential, key.privateKey);
    const manifest = parseManifest((await uma.get(`/api/resources/${resourceId}/manifest?node=${liarId}`)).text);
    const pieceCount = manifest.pieceHashes.length;
    expect(pieceCount).toBeGreaterThan(4);
    const offer = { resourceId, contentId: manifest.contentId, ticket: manifest.ticket };
    const identity = {
      nodeId: liarId,
      credential: enrolled.body.credential as string,
      sign: (data: Buffer) => sign(null, data, key.privateKey),
    };
    const stateDir = mkdtempSync(join(tmpdir(), 'shoal-liar-'));
    const verifier = new CredentialVerifier(
      new JwksCache(server.url, join(stateDir, 'jwks.json')).resolver(),
      new Revocations(null),
    );
    const tls = await generateTlsMaterial(`shoal-node-${liarId}`);
    let corruptBlocksSent = 0;
    const liarServer = createTlsServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.3' }, (socket) => {
      void PeerConnection.accept(socket, { identity, verifier, resolveOffer: () => ({ ...offer, ticket: '' }) }).then(
        (conn) => {
          liarConnections.push(conn);
          conn.send({ type: 'haveMap', pieceCount, bitfield: fullBitfield(pieceCount) });
          conn.on('message', (m: WireMessage) => {
            if (m.type !== 'request') return;
            corruptBlocksSent++;
            conn.sendData(m.piece, m.offset, randomBytes(m.length));
          });
        },
        () => undefined,
      );
    });
    tlsServer = liarServer;
    await new Promise<void>((r) => liarServer.listen(0, '127.0.0.1', () => r()));
    const liarAddress = `127.0.0.1:${(liarServer.address() as { port: number }).port}`;
    const announce = { resourceId, left: 0, uploaded: 0, downloaded: 0, addresses: [liarAddress] };
    expect((await liarApi.post('/api/tracker/announce', { ...announce, event: 'started' })).status).toBe(200);

    // uma's real machine downloads, and keeps the transfer open afterwards.
    const downloader = new Agent('downloader');
    await downloader.login(server.url, 'uma', 'uma-password-1');
    const out = join(downloader.dataDir, 'out');
    const get = downloader.spawn(['get', resourceId, '-o', out, '--seed-time', 'forever', '--json']);
    running.push(get);
    const banned = await until('the liar to be banned', () =>
      get.stderr().match(new RegExp(`banned liar \\(${liarId}\\) from this transfer: sent corrupt data`)),
    );
    expect(banned).toBeTruthy();
    expect(corruptBlocksSent).toBeGreaterThan(0);
    const complete = await get.waitFor((e) => e.event === 'complete', 90_000);
    expect(readFileSync(join(out, 'image.bin')).equals(content)).toBe(true);
    expect(Number(complete.downloadedFromSeeds)).toBeGreaterThanOrEqual(SIZE);

    // The liar finds the downloader through the tracker and dials it, ticket in hand.
    const downloaderId = JSON.parse(readFileSync(join(downloader.dataDir, 'node.json'), 'utf8')).nodeId as string;
    const peers = (await liarApi.post('/api/tracker/announce', { ...announce, event: 'update' })).body.peers as {
      nodeId: string;
      addresses: string[];
    }[];
    const target = peers.find((p) => p.nodeId === downloaderId);
    expect(target?.addresses.length).toBeGreaterThan(0);
    const [host, port] = target!.addresses[0].split(/:(?=\d+$)/);
    const received: WireMessage['type'][] = [];
    const closed = await PeerConnection.dial({ host, port: Number(port), offer, tls, identity, verifier }).then(
      (conn) =>
        new Promise<string>((resolve) => {
          liarConnections.push(conn);
          conn.on('message', (m: WireMessage) => received.push(m.type));
          conn.once('close', (err: Error | null) => resolve(err?.message ?? 'closed'));
          setTimeout(() => resolve('still connected after 10 s'), 10_000).unref();
        }),
      (err: Error) => err.message,
    );
    expect(closed).toContain(`node ${liarId} is banned from this transfer`);
    expect(received).toEqual([]);
    expect(get.child.exitCode).toBeNull();
    get.child.kill('SIGTERM');
    await get.done;
  });
});
