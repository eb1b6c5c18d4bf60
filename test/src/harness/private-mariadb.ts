import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './server.js';
import { until } from './wait.js';

export interface PrivateMariadb {
  /** DATABASE_URL of its `shoal` database. */
  url: string;
  /** Shuts it down as an operator would (SIGTERM, waits for the exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * A MariaDB of the suite's own, on a free loopback port with its data in a temporary
 * folder: one that a test may stop and start without touching the machine's MariaDB that
 * every other suite uses. Needs the mariadbd and mariadb-install-db that come with it.
 */
export async function startPrivateMariadb(): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-mariadb-'));
  const data = join(dir, 'data');
  const installed = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${data}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'],
    { encoding: 'utf8' },
  );
  if (installed.status !== 0) throw new Error(`mariadb-install-db failed: ${installed.stderr}`);
  const port = await freePort();
  let child: ChildProcess | null = null;
  let log = '';

  const start = async () => {
    const server = spawn(
      '/usr/sbin/mariadbd',
      [
        '--no-defaults',
        `--datadir=${data}`,
        '--user=root',
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(dir, 'mariadb.sock')}`,
        `--pid-file=${join(dir, 'mariadb.pid')}`,
        '--innodb-buffer-pool-size=32M',
        '--skip-log-bin',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-5000)));
    child = server;
    await until(
      `private MariaDB on port ${port} accepting connections`,
      async () => {
        if (server.exitCode !== null) throw new Error(`mariadbd exited ${server.exitCode}:\n${log}`);
        const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' }).catch(() => null);
        await conn?.end();
        return conn !== null;
      },
      { timeoutMs: 30_000, intervalMs: 200, detail: () => log },
    );
  };
  const stop = async () => {
    const server = child;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  };

  await start();
  const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
  await conn.query('CREATE DATABASE shoal CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
  await conn.end();
  return {
    url: `mysql://root@127.0.0.1:${port}/shoal`,
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
