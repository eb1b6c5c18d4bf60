/**
 * An admin revokes a seed server while its `shoal serve` runs, with a downloader connected
 * to it. The server stops handing the seed out at once; the serve learns it at its next
 * heartbeat or announce (the agent's fixed interval, no setting shortens it), stops
 * listening and exits with the "refused" code; the downloader drops it and keeps it on its
 * revocation list; and a newcomer still gets the content, from the downloader. A member's
 * machine stops the same way, at its next heartbeat, once the member is disabled.
 */
import { HEARTBEAT_INTERVAL_SECONDS } from '@shoal/contract';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, freePort, startServer, type RunningServer } from '../harness/server.js';

const SIZE = 1_000_000;
const EXIT_UNAUTHORIZED = 4;

const nodeIdOf = (agent: Agent) => JSON.parse(readFileSync(join(agent.dataDir, 'node.json'), 'utf8')).nodeId as string;

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a running seed server revoked by an admin', () => {
  let server: RunningServer;
  const running: ShoalProcess[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { SHOAL_BUILTIN_SEED: 'off' } });
  });
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  it('stops serving at its next heartbeat, its peers refuse it, and the content still flows', async () => {
    const admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    await admin.post('/api/admin/users', { username: 'uma', password: 'uma-password-1', role: 'member' });
    const uma = await new Api(server.url).login('uma', 'uma-password-1');

    const seed = new Agent('revoked-seed');
    const seedPort = await freePort();
    await seed.enroll(admin, { role: 'seed', name: 'doomed-seed', listen: `127.0.0.1:${seedPort}` });
    await seed.login(server.url, 'admin', ADMIN_PASSWORD);
    mkdirSync(join(seed.dataDir, 'content'));
    const content = randomBytes(SIZE);
    writeFileSync(join(seed.dataDir, 'content', 'kit.bin'), content);
    const resourceId = await seed.publish(join(seed.dataDir, 'content', 'kit.bin'), ['--name', 'kit']);
    const serve = seed.spawn(['serve']);
    running.push(serve);
    await until('the seed to serve', () => serve.stderr().includes('serving on'), 30_000);
    const seedId = nodeIdOf(seed);

    const early = new Agent('early');
    await early.login(server.url, 'uma', 'uma-password-1');
    const first = early.spawn([
      'get',
      resourceId,
      '-o',
      join(early.dataDir, 'out'),
      '--seed-time',
      'forever',
      '--json',
    ]);
    running.push(first);
    await first.waitFor((e) => e.event === 'complete');
    expect(first.stderr()).toContain(`peer connected: doomed-seed (seed, ${seedId})`);

    expect((await admin.post(`/api/admin/nodes/${seedId}/revoke`)).status).toBe(200);
    const revokedAt = Date.now();
    // The server hands it out no more, from this moment.
    const manifest = await uma.get(`/api/resources/${resourceId}/manifest`);
    expect(manifest.status).toBe(200);
    expect(manifest.body.seeds.map((s: { nodeId: string }) => s.nodeId)).not.toContain(seedId);

    // The serve learns it within one interval, stops listening and says why.
    const stopped = await Promise.race([
      serve.done,
      new Promise<null>((r) => setTimeout(() => r(null), (HEARTBEAT_INTERVAL_SECONDS + 15) * 1000)),
    ]);
    expect(stopped?.code).toBe(EXIT_UNAUTHORIZED);
    expect(Date.now() - revokedAt).toBeLessThan((HEARTBEAT_INTERVAL_SECONDS + 15) * 1000);
    expect(serve.stderr()).toContain('this node has been revoked by an admin: no longer providing anything');
    expect(await accepts(seedPort)).toBe(false);

    // The downloader learns it at its own heartbeat and keeps refusing the seed from then on.
    const revokedList = join(early.dataDir, 'state', 'revoked.json');
    await until(
      'the downloader to learn the revocation',
      () => existsSync(revokedList) && readFileSync(revokedList, 'utf8').includes(seedId),
      (HEARTBEAT_INTERVAL_SECONDS + 15) * 1000,
    );
    expect(first.child.exitCode).toBeNull();

    // A newcomer gets the content from the downloader.
    const late = new Agent('late');
    await late.login(server.url, 'uma', 'uma-password-1');
    const second = await late.run(['get', resourceId, '-o', join(late.dataDir, 'out'), '--seed-time', '0', '--json']);
    expect(second.code).toBe(0);
    expect(readFileSync(join(late.dataDir, 'out', 'kit.bin')).equals(content)).toBe(true);
    expect(second.stderr).toMatch(new RegExp(`peer connected: \\S+ \\(client, ${nodeIdOf(early)}\\)`));
    expect(second.stderr).not.toContain(seedId);
    first.child.kill('SIGTERM');
    await first.done;
  }, 180_000);

  it("stops a member's machine at its next heartbeat once the member is disabled", async () => {
    const admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    const vic = await admin.post('/api/admin/users', { username: 'vic', password: 'vic-password-1', role: 'member' });
    expect(vic.status).toBe(201);
    const machine = new Agent('vic-box');
    await machine.login(server.url, 'vic', 'vic-password-1');
    const enrolled = await machine.run([
      'enroll',
      '--server',
      server.url,
      '--role',
      'client',
      '--listen',
      '127.0.0.1:0',
    ]);
    expect(enrolled.code).toBe(0);
    // Nothing to provide, so no announce: only the heartbeat can tell it.
    const serve = machine.spawn(['serve']);
    running.push(serve);
    await until('the machine to serve', () => serve.stderr().includes('serving on'), 30_000);
    expect((await admin.patch(`/api/admin/users/${vic.body.id}`, { disabled: true })).status).toBe(200);
    const stopped = await Promise.race([
      serve.done,
      new Promise<null>((r) => setTimeout(() => r(null), (HEARTBEAT_INTERVAL_SECONDS + 15) * 1000)),
    ]);
    expect(stopped?.code).toBe(EXIT_UNAUTHORIZED);
    expect(serve.stderr()).toContain('this node has been revoked by an admin: no longer providing anything');
    expect(serve.stderr()).not.toContain('heartbeat failed');
  }, 120_000);
});
