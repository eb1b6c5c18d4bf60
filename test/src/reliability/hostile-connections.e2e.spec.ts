/**
 * A seed server under a connection flood, with real processes: 1,000 connections that
 * never start TLS and one that sends its handshake a byte a second. The seed drops them
 * all within its handshake timeout, its memory stays bounded, and an honest downloader
 * fetches the content meanwhile.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, freePort, startServer, type RunningServer } from '../harness/server.js';

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

describe('connection flood against a seed server', () => {
  let server: RunningServer;
  const running: ShoalProcess[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { SHOAL_BUILTIN_SEED: 'off' } });
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  it('drops 1,000 half-open and one byte-a-second connection, stays bounded, and keeps serving', async () => {
    const admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    const seed = new Agent('flooded-seed');
    const port = await freePort();
    await seed.enroll(admin, { role: 'seed', name: 'flooded', listen: `127.0.0.1:${port}` });
    await seed.login(server.url, 'admin', ADMIN_PASSWORD);
    mkdirSync(join(seed.dataDir, 'content'));
    const content = randomBytes(3 * 1024 * 1024);
    writeFileSync(join(seed.dataDir, 'content', 'payload.bin'), content);
    const published = await seed.run([
      'publish',
      join(seed.dataDir, 'content', 'payload.bin'),
      '--seed-time',
      '0',
      '--json',
    ]);
    const resourceId = JSON.parse(published.stdout.split('\n').find((l) => l.includes('"published"'))!)
      .resourceId as string;
    const serve = seed.spawn(['serve']);
    running.push(serve);
    await serve.waitFor(() => false, 1).catch(() => undefined);
    for (let i = 0; i < 50 && !serve.stderr().includes('serving on'); i++) await new Promise((r) => setTimeout(r, 100));
    const rssBefore = rssKiB(serve.child.pid!);

    let closedByPeer = 0;
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => resolve(s));
        s.on('error', () => undefined);
        s.once('error', reject);
        s.on('close', () => closedByPeer++);
        sockets.push(s);
      });
    for (let i = 0; i < 1000; i += 100) await Promise.all(Array.from({ length: 100 }, open));
    // A TLS ClientHello-looking start, then one byte a second.
    const slow = await open();
    const drip = setInterval(() => slow.writable && slow.write(Buffer.from([0x16])), 1000);

    // An honest downloader is served while the flood holds its connections.
    const downloader = new Agent('honest');
    await downloader.login(server.url, 'admin', ADMIN_PASSWORD);
    const got = await downloader.run([
      'get',
      resourceId,
      '-o',
      join(downloader.dataDir, 'out'),
      '--seed-time',
      '0',
      '--json',
    ]);
    expect(got.code).toBe(0);
    expect(
      createHash('sha256')
        .update(readFileSync(join(downloader.dataDir, 'out', 'payload.bin')))
        .digest('hex'),
    ).toBe(createHash('sha256').update(content).digest('hex'));

    // Within the 10 s handshake timeout (and some slack) the seed has dropped every one.
    for (let i = 0; i < 200 && closedByPeer < 1001; i++) await new Promise((r) => setTimeout(r, 100));
    clearInterval(drip);
    expect(closedByPeer).toBe(1001);
    expect(serve.child.exitCode).toBeNull();
    expect(rssKiB(serve.child.pid!) - rssBefore).toBeLessThan(64 * 1024);
  });
});
