import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { NODE_OFFLINE_AFTER_SECONDS, type DashboardStats } from '@shoal/contract';
import { IsNull, MoreThan, Repository } from 'typeorm';
import { Roles } from '../common/decorators.js';
import { Node } from '../nodes/node.entity.js';
import { TrafficService } from '../nodes/traffic.service.js';
import { Resource } from '../resources/resource.entity.js';
import { SWARM_STORE, type SwarmStore } from '../tracker/swarm-store.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/admin/stats')
export class StatsAdminController {
  constructor(
    @InjectRepository(Resource) private readonly resources: Repository<Resource>,
    @InjectRepository(Node) private readonly nodes: Repository<Node>,
    @Inject(SWARM_STORE) private readonly swarm: SwarmStore,
    private readonly traffic: TrafficService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Dashboard totals and the last 24 h of traffic, seeds versus swarm' })
  async stats(): Promise<DashboardStats> {
    const onlineSince = new Date(Date.now() - NODE_OFFLINE_AFTER_SECONDS * 1000);
    const online = { revokedAt: IsNull(), leftAt: IsNull(), lastHeartbeatAt: MoreThan(onlineSince) };
    const [totals, onlineSeeds, onlineNodes, activeDownloads, traffic] = await Promise.all([
      this.resources
        .createQueryBuilder('r')
        .select('COUNT(*)', 'count')
        .addSelect('COALESCE(SUM(r.totalSize), 0)', 'bytes')
        .getRawOne<{ count: string | number; bytes: string | number }>(),
      this.nodes.countBy({ ...online, role: 'seed' }),
      this.nodes.countBy(online),
      this.swarm.activeDownloads(),
      this.traffic.since(new Date(Date.now() - 24 * 3600 * 1000)),
    ]);
    return {
      resources: Number(totals?.count ?? 0),
      totalBytes: Number(totals?.bytes ?? 0),
      onlineSeeds,
      onlineNodes,
      activeDownloads,
      traffic,
    };
  }
}
