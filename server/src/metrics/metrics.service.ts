import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { NODE_OFFLINE_AFTER_SECONDS } from '@shoal/contract';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { IsNull, MoreThan, Repository } from 'typeorm';
import { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { SWARM_STORE, type SwarmStore } from '../tracker/swarm-store.js';

/**
 * Prometheus metrics of this server instance. Labels stay low-cardinality: routes are
 * the matched route templates (never raw URLs with ids), and per-resource swarm sizes
 * are left to the catalog (a million resources would be a million series).
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
    help: 'Node heartbeats received',
    registers: [this.registry],
  });

  constructor(
    @InjectRepository(Node) nodes: Repository<Node>,
    @InjectRepository(Resource) resources: Repository<Resource>,
    @Inject(SWARM_STORE) swarm: SwarmStore,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'shoal_' });
    const onlineSince = () => new Date(Date.now() - NODE_OFFLINE_AFTER_SECONDS * 1000);
    new Gauge({
      name: 'shoal_nodes_online',
      help: 'Nodes with a recent heartbeat, by role',
      labelNames: ['role'] as const,
      registers: [this.registry],
      async collect() {
        for (const role of ['seed', 'client'] as const) {
          this.set(
            { role },
            await nodes.countBy({ role, revokedAt: IsNull(), lastHeartbeatAt: MoreThan(onlineSince()) }),
          );
        }
      },
    });
    new Gauge({
      name: 'shoal_resources',
      help: 'Resources in the catalog',
      registers: [this.registry],
      async collect() {
        this.set(await resources.count());
      },
    });
    new Gauge({
      name: 'shoal_swarm_downloaders',
      help: 'Nodes currently downloading, over all swarms',
      registers: [this.registry],
      async collect() {
        this.set(await swarm.activeDownloads());
      },
    });
    new Gauge({
      name: 'shoal_swarms_active',
      help: 'Resources with at least one online seed server or downloader',
      registers: [this.registry],
      async collect() {
        this.set(await resources.count({ where: [{ seedCount: MoreThan(0) }, { downloaderCount: MoreThan(0) }] }));
      },
    });
  }
}
