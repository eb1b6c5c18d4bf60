import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Node } from '../nodes/node.entity.js';
import { NodesModule } from '../nodes/nodes.module.js';
import { Resource } from '../resources/resource.entity.js';
import { TrackerModule } from '../tracker/tracker.module.js';
import { StatsAdminController } from './stats-admin.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([Resource, Node]), NodesModule, TrackerModule],
  controllers: [StatsAdminController],
})
export class StatsModule {}
