import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { BUILD_INFO_METRIC, NODE_OFFLINE_AFTER_SECONDS } from '@shoal/contract';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MoreThan, Repository } from 'typeorm';
import { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { SWARM_STORE, type SwarmStore } from '../tracker/swarm-store.js';
import { SERVER_COMMIT, SERVER_RELEASE } from '../version/server-version.js';

/**
 * Sites are named by whoever enrolls a node, so their number is not ours to choose: the
 * online-nodes gauge keeps at most this many (site, role) series, those with the most
 * enrolled nodes first (not the most online: a site gone quiet is the one to keep).
 */
const MAX_SITE_SERIES = 500;

/** What a cluster-wide gauge's HELP says, so nobody sums it over instances. */
const CLUSTER_WIDE = 'cluster-wide (every instance reports the same figure: aggregate with max, not sum)';

/**
 * Prometheus metrics of this server instance. Labels stay low-cardinality: routes are
 * the matched route templates (never raw URLs with ids), and per-resource swarm sizes
 * are left to the catalog (a million resources would be a million series).
 *
 * Two kinds of figure: this instance's own (`shoal_http_*`, `shoal_tracker_*`,
 * `shoal_node_heartbeats_total`, process metrics), which add up over instances, and
 * `shoal_cluster_*`, read from the shared database and Redis, which every instance
 * reports alike (docs/operations.md, "Metrics").
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests = new Histogram({
    name: 'shoal_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly announces = new Counter({
    name: 'shoal_tracker_announces_total',
    help: 'Tracker announces by event',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  readonly fastPathAnnounces = new Counter({
    name: 'shoal_tracker_fast_path_announces_total',
    help: 'Announces answered by the tracker fast path; the rest of shoal_tracker_announces_total took the Nest route',
    registers: [this.registry],
  });
  readonly shedNodeRequests = new Counter({
    name: 'shoal_node_requests_shed_total',
    help: 'Heartbeats and announces answered 429 at once because SHOAL_MAX_INFLIGHT_NODE_REQUESTS were in progress',
    registers: [this.registry],
  });
  readonly heartbeats = new Counter({
    name: 'shoal_node_heartbeats_total',
    help: 'Node heartbeats received by this instance, by the role of the node',
    labelNames: ['role'] as const,
    registers: [this.registry],
  });

  constructor(
    @InjectRepository(Node) nodes: Repository<Node>,
    @InjectRepository(Resource) resources: Repository<Resource>,
    @Inject(SWARM_STORE) swarm: SwarmStore,
  ) {
    // Unprefixed, as every Node.js dashboard expects (process_cpu_seconds_total, nodejs_heap_size_used_bytes...).
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ ...BUILD_INFO_METRIC, registers: [this.registry] }).set(
      { version: SERVER_RELEASE, commit: SERVER_COMMIT },
      1,
    );
    // Both roles always have a series, so "no seed server online" is a 0 rather than a gap.
    for (const role of ['seed', 'client'] as const) this.heartbeats.inc({ role }, 0);
    new Gauge({
      name: 'shoal_cluster_nodes_online',
      help:
        `Nodes of each site and role online (a heartbeat in the last ${NODE_OFFLINE_AFTER_SECONDS} s, not stopped since), ` +
        `0 for a site whose enrolled nodes all went quiet; site="" is nodes without a site; ${CLUSTER_WIDE}`,
      labelNames: ['site', 'role'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await nodes
          .createQueryBuilder('n')
          .select('n.site', 'site')
          .addSelect('n.role', 'role')
          // A node that said goodbye (leftAt) is offline at once, whatever its last heartbeat.
          .addSelect('SUM(CASE WHEN n.leftAt IS NULL AND n.lastHeartbeatAt > :since THEN 1 ELSE 0 END)', 'online')
          .addSelect('COUNT(*)', 'enrolled')
          .where('n.revokedAt IS NULL')
          .setParameter('since', new Date(Date.now() - NODE_OFFLINE_AFTER_SECONDS * 1000))
          .groupBy('n.site')
          .addGroupBy('n.role')
          .orderBy('enrolled', 'DESC')
          .limit(MAX_SITE_SERIES)
          .getRawMany<{ site: string | null; role: string; online: number | string }>();
        this.reset();
        for (const r of rows) this.set({ site: r.site ?? '', role: r.role }, Number(r.online));
      },
    });
    new Gauge({
      name: 'shoal_cluster_resources',
      help: `Resources in the catalog; ${CLUSTER_WIDE}`,
      registers: [this.registry],
      async collect() {
        this.set(await resources.count());
      },
    });
    new Gauge({
      name: 'shoal_cluster_swarm_downloaders',
      help: `Nodes currently downloading, over all swarms; ${CLUSTER_WIDE}`,
      registers: [this.registry],
      async collect() {
        this.set(await swarm.activeDownloads());
      },
    });
    new Gauge({
      name: 'shoal_cluster_swarms_active',
      help: `Resources with at least one online seed server or downloader; ${CLUSTER_WIDE}`,
      registers: [this.registry],
      async collect() {
        this.set(await resources.count({ where: [{ seedCount: MoreThan(0) }, { downloaderCount: MoreThan(0) }] }));
      },
    });
  }
}
