import { Module, OnModuleDestroy, Inject } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { NodeHolding } from '../nodes/node-holding.entity.js';
import { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module.js';
import { MemorySwarmStore } from './memory-swarm-store.js';
import { RedisSwarmStore } from './redis-swarm-store.js';
import { ProvidersService } from './providers.service.js';
import { SwarmCountsService } from './swarm-counts.service.js';
import { SWARM_STORE, type SwarmStore } from './swarm-store.js';
import { TrackerController } from './tracker.controller.js';
import { TrackerFastPath } from './tracker.fast-path.js';
import { TrackerService } from './tracker.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Resource, Node, NodeHolding]), CredentialsModule],
  controllers: [TrackerController],
  providers: [
    {
      provide: SWARM_STORE,
      inject: [REDIS],
      useFactory: (redis: Redis | null): SwarmStore => (redis ? new RedisSwarmStore(redis) : new MemorySwarmStore()),
    },
    ProvidersService,
    SwarmCountsService,
    TrackerService,
    TrackerFastPath,
  ],
  exports: [SWARM_STORE, ProvidersService, SwarmCountsService, TrackerService, TrackerFastPath],
})
export class TrackerModule implements OnModuleDestroy {
  constructor(@Inject(SWARM_STORE) private readonly store: SwarmStore) {}

  onModuleDestroy(): void {
    if (this.store instanceof MemorySwarmStore) this.store.close();
  }
}
