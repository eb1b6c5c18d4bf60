import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine, Logger, TransferCounters } from '../engine/index.js';

type Labels = { resource: string };

/** A counter that reads a monotonic total of each transfer when Prometheus scrapes. */
function totalOf(
  registry: Registry,
  engine: Engine,
  name: string,
  help: string,
  read: (s: TransferCounters) => number,
) {
  return new Counter<'resource'>({
    name,
    help,
    labelNames: ['resource'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of engine.transfers()) this.inc({ resource: t.resourceId } as Labels, read(t.stats));
    },
  });
}

/**
 * Prometheus metrics of one agent at `GET /metrics` on `host:port` (`--metrics`), per
 * resource: bytes up and down (from seeds and from peers), peers, verification failures
 * and bans. Meant for a scraper on the same host or network; it carries no secrets.
 */
export async function startMetricsEndpoint(
  engine: Engine,
  listen: { host: string; port: number },
  log: Logger,
): Promise<Server> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'shoal_agent_' });
  totalOf(registry, engine, 'shoal_agent_downloaded_bytes_total', 'Verified bytes received', (s) => s.downloaded);
  totalOf(
    registry,
    engine,
    'shoal_agent_downloaded_from_seeds_bytes_total',
    'Verified bytes received from seed servers',
    (s) => s.downloadedFromSeeds,
  );
  totalOf(
    registry,
    engine,
    'shoal_agent_downloaded_from_peers_bytes_total',
    'Verified bytes received from other downloaders',
    (s) => s.downloadedFromPeers,
  );
  totalOf(registry, engine, 'shoal_agent_uploaded_bytes_total', 'Bytes served', (s) => s.uploaded);
  totalOf(
    registry,
    engine,
    'shoal_agent_wasted_bytes_total',
    'Bytes received that failed verification or were not asked for',
    (s) => s.wasted,
  );
  totalOf(
    registry,
    engine,
    'shoal_agent_verification_failures_total',
    'Pieces that failed their SHA-256 check',
    (s) => s.piecesFailed,
  );
  new Gauge<'resource'>({
    name: 'shoal_agent_peers',
    help: 'Connected peers',
    labelNames: ['resource'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of engine.transfers()) this.set({ resource: t.resourceId }, t.peerCount());
    },
  });
  new Gauge<'resource'>({
    name: 'shoal_agent_banned_peers',
    help: 'Peers banned for sending corrupt data',
    labelNames: ['resource'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of engine.transfers()) this.set({ resource: t.resourceId }, t.bannedCount());
    },
  });
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  server.unref();
  log.log('info', `metrics at http://${listen.host}:${(server.address() as { port: number }).port}/metrics`);
  return server;
}
