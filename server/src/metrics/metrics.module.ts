import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { TrackerModule } from '../tracker/tracker.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Node, Resource]), TrackerModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
