import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Resource } from '../resources/resource.entity.js';
import { ProvidersService } from './providers.service.js';
import { SWARM_STORE, type SwarmStore } from './swarm-store.js';

const FLUSH_INTERVAL_MS = 1_000;
/** Re-check resources that show activity, so expiry and nodes going offline show up too. */
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
      setInterval(() => void this.markActiveDirty(), DECAY_INTERVAL_MS),
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

  private async markActiveDirty(): Promise<void> {
    try {
      const rows = await this.resources
        .createQueryBuilder('r')
        .select('r.id', 'id')
        .where('r.seedCount > 0 OR r.downloaderCount > 0')
        .limit(MAX_DIRTY)
        .getRawMany<{ id: string }>();
      for (const r of rows) this.markDirty(r.id);
    } catch {
      /* next round */
    }
  }
}
