import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { User } from '../users/user.entity.js';
import { PreheatAdminController } from './preheat-admin.controller.js';
import { PreheatJobEntity } from './preheat-job.entity.js';
import { PreheatNodeController } from './preheat-node.controller.js';
import { PreheatTaskEntity } from './preheat-task.entity.js';
import { PreheatService } from './preheat.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([PreheatJobEntity, PreheatTaskEntity, Node, Resource, User]),
    ResourcesModule,
    AuditModule,
  ],
  controllers: [PreheatAdminController, PreheatNodeController],
  providers: [PreheatService],
  exports: [PreheatService],
})
export class PreheatModule {}
