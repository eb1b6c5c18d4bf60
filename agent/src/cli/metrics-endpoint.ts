import { createServer, type Server } from 'node:http';
import { BUILD_INFO_METRIC } from '@shoal/contract';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine, Logger, TransferCounters } from '../engine/index.js';
import { versionInfo } from '../version.js';

/** Where verified bytes came from: a seed server, or another downloader (the swarm's offload). */
const SOURCES = {
  seed: (s: TransferCounters) => s.downloadedFromSeeds,
  peer: (s: TransferCounters) => s.downloadedFromPeers,
};

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
      for (const t of engine.transfers()) this.inc({ resource: t.resourceId }, read(t.stats));
    },
  });
}

/** What the metrics read besides the engine: the node credential, which heartbeats renew. */
export interface MetricsSources {
  engine: Engine;
  /** ISO time the current node credential expires. */
  credentialExpiresAt: () => string;
}

/**
 * Prometheus metrics of one agent at `GET /metrics` on `host:port` (`--metrics`), per
 * resource: bytes received by source (seed servers, peers), bytes sent, peers,
 * verification failures and bans; and the node credential's expiry. Meant for a scraper
 * on the same host or network; it carries no secrets.
 */
export async function startMetricsEndpoint(
  { engine, credentialExpiresAt }: MetricsSources,
  listen: { host: string; port: number },
  log: Logger,
): Promise<Server> {
  const registry = new Registry();
  // Unprefixed, as every Node.js dashboard expects; the job label tells agents from servers.
  collectDefaultMetrics({ register: registry });
  const build = versionInfo();
  new Gauge({ ...BUILD_INFO_METRIC, registers: [registry] }).set(
    { version: build.version, commit: build.commit ?? 'unknown' },
    1,
  );
  new Counter<'resource' | 'source'>({
    name: 'shoal_agent_downloaded_bytes_total',
    help: 'Verified bytes received, by source: "seed" (seed servers) or "peer" (other downloaders)',
    labelNames: ['resource', 'source'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of engine.transfers())
        for (const [source, read] of Object.entries(SOURCES))
          this.inc({ resource: t.resourceId, source }, read(t.stats));
    },
  });
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
  new Gauge({
    name: 'shoal_agent_credential_expiry_timestamp_seconds',
    help: 'When this node credential expires (unix seconds); heartbeats renew it at half its life',
    registers: [registry],
    collect() {
      const at = Date.parse(credentialExpiresAt());
      // node.json can be edited by hand: a date that does not parse counts as expired (0), so the alert fires.
      this.set(Number.isFinite(at) ? Math.floor(at / 1000) : 0);
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
