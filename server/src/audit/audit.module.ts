import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditAdminController } from './audit-admin.controller.js';
import { AuditEntry } from './audit-entry.entity.js';
import { AuditRetentionService } from './audit-retention.service.js';
import { AuditService } from './audit.service.js';
import { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { User } from '../users/user.entity.js';

@Module({
  // The other entities only to name what entries are about.
  imports: [TypeOrmModule.forFeature([AuditEntry, Resource, Node, User])],
  controllers: [AuditAdminController],
  providers: [AuditService, AuditRetentionService],
  exports: [AuditService],
})
export class AuditModule {}
