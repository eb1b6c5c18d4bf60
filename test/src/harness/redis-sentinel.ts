import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './server.js';
import { until } from './wait.js';

/** The name the sentinels monitor the primary under. */
const PRIMARY_NAME = 'shoal-primary';

export interface SentinelGroup {
  /** REDIS_URL for the servers: every sentinel and the primary's name. */
  url: string;
  /** The port of the server the sentinels call the primary now. */
  primaryPort(): Promise<number>;
  /** Kills the current primary (SIGKILL, as a crash) and returns its port. */
  killPrimary(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Redis as ops run it for high availability, on loopback ports: a primary, one replica
 * and three `redis-server --sentinel` (quorum 2) that fail over one second after the
 * primary stops answering. Nothing is kept on disk.
 */
export async function startSentinelGroup(): Promise<SentinelGroup> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-sentinel-'));
  const processes = new Map<number, ChildProcess>();
  const start = (port: number, args: string[]) => {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    processes.set(port, child);
  };
  const dataServer = (port: number, extra: string[] = []) =>
    start(port, [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...extra,
    ]);

  const [primary, replica, ...sentinels] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
  dataServer(primary);
  dataServer(replica, ['--replicaof', '127.0.0.1', String(primary)]);
  for (const port of sentinels) {
    const conf = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${PRIMARY_NAME} 127.0.0.1 ${primary} 2`,
        `sentinel down-after-milliseconds ${PRIMARY_NAME} 1000`,
        `sentinel failover-timeout ${PRIMARY_NAME} 5000`,
        `sentinel parallel-syncs ${PRIMARY_NAME} 1`,
        '',
      ].join('\n'),
    );
    start(port, [conf, '--sentinel']);
  }

  const ask = async <T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T | undefined> => {
    const r = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return await fn(r);
    } catch {
      return undefined;
    } finally {
      r.disconnect();
    }
  };
  const primaryPort = async (): Promise<number> => {
    for (const port of sentinels) {
      const addr = await ask(
        port,
        (r) => r.call('SENTINEL', 'get-master-addr-by-name', PRIMARY_NAME) as Promise<string[]>,
      );
      if (addr) return Number(addr[1]);
    }
    throw new Error('no sentinel answered');
  };

  // Ready: the replica has synced, and each sentinel sees the replica and the other two.
  await until(
    'replica in sync with the primary',
    () => ask(replica, async (r) => (await r.info('replication')).includes('master_link_status:up')),
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  await until(
    'sentinels know the replica and each other',
    async () => {
      for (const port of sentinels) {
        const ok = await ask(port, async (r) => {
          const peers = (await r.call('SENTINEL', 'sentinels', PRIMARY_NAME)) as unknown[];
          const replicas = (await r.call('SENTINEL', 'replicas', PRIMARY_NAME)) as unknown[];
          return peers.length === 2 && replicas.length === 1;
        });
        if (!ok) return false;
      }
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );

  return {
    url: `redis+sentinel://${sentinels.map((p) => `127.0.0.1:${p}`).join(',')}/${PRIMARY_NAME}`,
    primaryPort,
    killPrimary: async () => {
      const port = await primaryPort();
      processes.get(port)?.kill('SIGKILL');
      return port;
    },
    stop: async () => {
      const exits = [...processes.values()]
        .filter((c) => c.exitCode === null && c.signalCode === null)
        .map((c) => new Promise((r) => c.once('exit', r)).then(() => undefined));
      for (const c of processes.values()) c.kill('SIGKILL');
      await Promise.all(exits);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
