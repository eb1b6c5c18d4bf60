import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { NODE_OFFLINE_AFTER_SECONDS } from '@shoal/contract';
import { Repository } from 'typeorm';
import { NodeHolding } from '../nodes/node-holding.entity.js';
import { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { ProvidersService } from './providers.service.js';
import { SWARM_STORE, type SwarmStore } from './swarm-store.js';

const FLUSH_INTERVAL_MS = 1_000;
/** How often expiries and nodes going offline are looked for. */
const DECAY_INTERVAL_MS = 15_000;
const MAX_DIRTY = 100_000;

/**
 * Keeps the seedCount/downloaderCount columns of resources current. Announces and
 * heartbeats mark a resource dirty; dirty resources are recounted about once a second,
 * so the browse table can sort on the counts with an index.
 */
@Injectable()
export class SwarmCountsService implements OnModuleInit, OnModuleDestroy {
  private readonly dirty = new Set<string>();
  private lastOfflineCheck = Date.now();
  private timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    @InjectRepository(Resource) private readonly resources: Repository<Resource>,
    @Inject(SWARM_STORE) private readonly swarm: SwarmStore,
    private readonly providers: ProvidersService,
  ) {}

  onModuleInit(): void {
    this.timers = [
      setInterval(() => void this.flush(), FLUSH_INTERVAL_MS),
      setInterval(() => void this.markSilentChanges(), DECAY_INTERVAL_MS),
    ];
    for (const t of this.timers) t.unref();
  }

  onModuleDestroy(): void {
    for (const t of this.timers) clearInterval(t);
  }

  markDirty(resourceId: string): void {
    if (this.dirty.size < MAX_DIRTY) this.dirty.add(resourceId);
  }

  /** Recount now (tests and the detail page use this to avoid waiting for the timer). */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.doFlush().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      try {
        const [seedCount, downloaderCount] = await Promise.all([
          this.providers.countOnlineSeeds(id),
          this.swarm.downloaderCount(id),
        ]);
        await this.resources
          .createQueryBuilder()
          .update(Resource)
          .set({ seedCount, downloaderCount, updatedAt: () => 'updatedAt' })
          .where('id = :id AND (seedCount <> :seedCount OR downloaderCount <> :downloaderCount)', {
            id,
            seedCount,
            downloaderCount,
          })
          .execute();
      } catch {
        this.markDirty(id); // database briefly away: try again next round
      }
    }
  }

  /**
   * Counts also change without any request: a downloader's swarm entry expires, or a seed
   * server stops heartbeating. Only the resources concerned are marked, never the whole
   * catalog: entries expired since the last look, and the holdings of nodes whose last
   * heartbeat crossed the offline threshold since the last look.
   */
  private async markSilentChanges(): Promise<void> {
    try {
      for (const id of await this.swarm.drainExpiredDownloads()) this.markDirty(id);
      const now = Date.now();
      const from = new Date(this.lastOfflineCheck - NODE_OFFLINE_AFTER_SECONDS * 1000);
      const to = new Date(now - NODE_OFFLINE_AFTER_SECONDS * 1000);
      this.lastOfflineCheck = now;
      const rows = await this.resources.manager
        .createQueryBuilder(NodeHolding, 'h')
        .innerJoin(Node, 'n', 'n.id = h.nodeId')
        .select('h.resourceId', 'resourceId')
        .where('n.lastHeartbeatAt > :from AND n.lastHeartbeatAt <= :to', { from, to })
        .limit(MAX_DIRTY)
        .getRawMany<{ resourceId: string }>();
      for (const r of rows) this.markDirty(r.resourceId);
    } catch {
      /* next round */
    }
  }
}
