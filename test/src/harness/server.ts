import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createMysqlSchema } from './databases.js';
import { sleep } from './wait.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const ADMIN_PASSWORD = 'admin-test-password-1';
/**
 * The server's log level: production's default ('log', pino's info) unless a developer
 * asks for more with SHOAL_TEST_LOG_LEVEL=debug. Debug (or verbose) logging switches the
 * tracker's fast path off, so every announce then takes the Nest route instead of the path
 * production serves them on; a suite that asserts the fast path fails at that level.
 */
const SERVER_LOG_LEVEL = process.env.SHOAL_TEST_LOG_LEVEL || 'log';

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  databaseUrl: string | null;
  /** The server process's id (a new one after restart), e.g. to read its /proc/<pid>/status. */
  pid(): number;
  /** Everything the process printed so far. */
  output(): string;
  /** Stop the process (SIGTERM, then SIGKILL), keeping data and database. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Start it again on the same port, data dir and database. */
  restart(): Promise<void>;
  /** Stop and delete data dir and database. */
  destroy(): Promise<void>;
}

/**
 * Starts the real server (`node server/dist/main.js`, as `npm start` does) on a free
 * port with a fresh data dir, and a fresh MySQL schema when asked for, at SERVER_LOG_LEVEL.
 */
export async function startServer(
  opts: { db?: 'sqlite' | 'mysql'; databaseUrl?: string; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-server-'));
  // A given databaseUrl is shared with other servers and left for the caller to drop.
  const schema = opts.databaseUrl
    ? { url: opts.databaseUrl, drop: async () => undefined }
    : opts.db === 'mysql'
      ? await createMysqlSchema()
      : null;
  let out = '';
  let child: ChildProcess | null = null;
  const url = `http://127.0.0.1:${port}`;

  const launch = async () => {
    child = spawn(process.execPath, [join(REPO_ROOT, 'server/dist/main.js')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        SHOAL_DATA_DIR: dataDir,
        SHOAL_ADMIN_PASSWORD: ADMIN_PASSWORD,
        SHOAL_PUBLIC_URL: url,
        SHOAL_LOG_LEVEL: SERVER_LOG_LEVEL,
        // Parallel test servers must not fight over the built-in seed's default port.
        SHOAL_BUILTIN_SEED_PORT: '0',
        DATABASE_URL: schema?.url ?? '',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const started = Date.now();
    while (Date.now() - started < 60_000) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`server exited (code ${child.exitCode}, signal ${child.signalCode}):\n${out}`);
      try {
        // A process that accepts but never answers must not hold the loop past its bound.
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
    throw new Error(`server did not become healthy within 60 s:\n${out}`);
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const c = child as ChildProcess | null;
    // Stopped already (by exit or, as Nest ends itself on SIGTERM, by the signal): nothing to wait for.
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    url,
    port,
    dataDir,
    databaseUrl: schema?.url ?? null,
    pid: () => (child as ChildProcess | null)!.pid!,
    output: () => out,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    destroy: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      await schema?.drop();
    },
  };
}
