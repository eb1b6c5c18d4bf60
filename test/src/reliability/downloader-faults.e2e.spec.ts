/**
 * Faults on the downloader's side, with real processes: a full disk, and kill -9 at ten
 * random points of one transfer.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';
import { sleep, until } from '../harness/wait.js';
import { uploadedId } from '../harness/uploads.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const SIZE = 4 * 1024 * 1024 + 17;

describe('downloader faults', () => {
  let server: RunningServer;
  let admin: Api;
  let resourceId: string;
  const content = randomBytes(SIZE);
  const running: ShoalProcess[] = [];
  const mounts: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    resourceId = await uploadedId(server.url, admin.token!, { name: 'faults', filename: 'faults.bin' }, content);
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    for (const m of mounts) execFileSync('umount', ['-l', m]);
    await server?.destroy();
  });

  it('stops with a clear error when the disk is full, keeps nothing under the final name, and resumes once space is freed', async () => {
    const agent = new Agent('diskfull');
    await agent.login(server.url, 'admin', ADMIN_PASSWORD);
    const out = join(agent.dataDir, 'small-disk');
    mkdirSync(out);
    // A 2 MiB file system for a 4 MiB resource (we are root: the suite's machines are).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', out]);
    mounts.push(out);
    const full = await agent.run(['get', resourceId, '-o', out, '--seed-time', '0', '--json']);
    expect(full.code).toBe(7);
    expect(full.stderr).toMatch(/no space|ENOSPC/i);
    expect(existsSync(join(out, 'faults.bin'))).toBe(false);

    execFileSync('mount', ['-o', 'remount,size=16m', out]);
    const resumed = await agent.run(['get', resourceId, '-o', out, '--seed-time', '0', '--json']);
    expect(resumed.code).toBe(0);
    expect(sha(readFileSync(join(out, 'faults.bin')))).toBe(sha(content));
  });

  it('ends byte-identical after kill -9 at ten random points, never fetching a verified piece twice', async () => {
    const agent = new Agent('killed10');
    await agent.login(server.url, 'admin', ADMIN_PASSWORD);
    const out = join(agent.dataDir, 'out');
    const logs = join(agent.dataDir, 'downloads');
    /** Pieces in the resume log (the agent's data dir: one big-endian u32 per verified piece). */
    const logged = () =>
      existsSync(logs)
        ? readdirSync(logs).reduce((n, name) => n + Math.floor(readFileSync(join(logs, name)).length / 4), 0)
        : 0;
    for (let kill = 0; kill < 10; kill++) {
      // Each kill falls at a random point after the run verified its first piece (from the
      // start's one-piece burst), however slowly the machine starts it; then at 128 KiB/s
      // the ten short runs fetch well under the 4 MiB.
      const before = logged();
      const get = agent.spawn(['get', resourceId, '-o', out, '--seed-time', '0', '--download-limit', '128k', '--json']);
      running.push(get);
      await until(
        `run ${kill + 1}: a piece verified and logged`,
        () => logged() > before || get.child.exitCode !== null,
        {
          timeoutMs: 30_000,
          intervalMs: 20,
          detail: () => `${logged()} pieces logged\n${get.stderr()}`,
        },
      );
      expect({ run: kill + 1, exit: get.child.exitCode }).toEqual({ run: kill + 1, exit: null });
      await sleep(Math.random() * 700);
      get.child.kill('SIGKILL');
      await get.exited(10_000);
      expect(existsSync(join(out, 'faults.bin'))).toBe(false);
    }
    // What the ten runs verified and kept.
    expect(readdirSync(logs)).toHaveLength(1);
    const log = readFileSync(join(logs, readdirSync(logs)[0]));
    const verified = new Set<number>();
    for (let i = 0; i + 4 <= log.length; i += 4) verified.add(log.readUInt32BE(i));
    const pieceSize = 256 * 1024;
    const pieceCount = Math.ceil(SIZE / pieceSize);
    expect(verified.size).toBeGreaterThan(0);
    expect(log.length / 4).toBe(verified.size); // no piece recorded twice

    const last = agent.spawn(['get', resourceId, '-o', out, '--seed-time', '0', '--json']);
    running.push(last);
    expect((await last.exited()).code).toBe(0);
    expect(sha(readFileSync(join(out, 'faults.bin')))).toBe(sha(content));
    // The last run fetched only the pieces not yet verified.
    const downloaded = Number(last.events().find((e) => e.event === 'complete')?.downloaded);
    expect(downloaded).toBeLessThanOrEqual((pieceCount - verified.size) * pieceSize);
  }, 240_000);
});
