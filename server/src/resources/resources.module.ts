import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { Node } from '../nodes/node.entity.js';
import { TrackerModule } from '../tracker/tracker.module.js';
import { ManifestService } from './manifest.service.js';
import { NodeManifestController } from './node-manifest.controller.js';
import { User } from '../users/user.entity.js';
import { ResourceAdminController } from './resource-admin.controller.js';
import { ResourceNameToken } from './resource-name-token.entity.js';
import { Resource } from './resource.entity.js';
import { ResourcesController } from './resources.controller.js';
import { ResourcesService } from './resources.service.js';
import { SearchModule } from './search/search.module.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Resource, ResourceNameToken, Node, User]),
    TrackerModule,
    CredentialsModule,
    AuditModule,
    SearchModule,
  ],
  controllers: [ResourcesController, ResourceAdminController, NodeManifestController],
  providers: [ResourcesService, ManifestService],
  exports: [ResourcesService, ManifestService],
})
export class ResourcesModule {}
