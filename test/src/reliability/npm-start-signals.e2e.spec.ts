/**
 * `npm start` (the developer path) stopped as a process supervisor or a terminal stops it:
 * one signal to npm itself. The server must shut down and nothing npm started may be left
 * behind, listening or not.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from '../harness/api-client.js';
import { groupAlive, isListening, waitForExit } from '../harness/processes.js';
import { ADMIN_PASSWORD, REPO_ROOT, freePort } from '../harness/server.js';
import { until } from '../harness/wait.js';

describe('npm start', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('passes %s on: the server stops and nothing is left', async (signal) => {
    const [port, seedPort] = [await freePort(), await freePort()];
    // Its own process group, so whatever npm started can be found afterwards.
    const npm = spawn('npm', ['start'], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        SHOAL_DATA_DIR: mkdtempSync(join(tmpdir(), 'shoal-npm-start-')),
        SHOAL_ADMIN_PASSWORD: ADMIN_PASSWORD,
        SHOAL_BUILTIN_SEED_HOST: '127.0.0.1',
        SHOAL_BUILTIN_SEED_PORT: String(seedPort),
        DATABASE_URL: '',
      },
    });
    let out = '';
    npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const pgid = npm.pid!;
    try {
      await until(
        'npm start healthy',
        async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok,
        { timeoutMs: 60_000, detail: () => out.slice(-3000) },
      );
      const admin = await new Api(`http://127.0.0.1:${port}`).login('admin', ADMIN_PASSWORD);
      expect((await admin.get('/api/admin/users')).status).toBe(200);
      expect(await isListening(seedPort)).toBe(true);

      npm.kill(signal);
      await waitForExit(npm, 15_000);
      expect(await isListening(port)).toBe(false);
      expect(await isListening(seedPort)).toBe(false);
      await until('every process npm started gone', () => !groupAlive(pgid), { timeoutMs: 5_000 });
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  });
});
