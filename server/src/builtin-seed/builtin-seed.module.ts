import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { NodesModule } from '../nodes/nodes.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { BuiltinSeedService } from './builtin-seed.service.js';
import { UploadAdminController } from './upload-admin.controller.js';

@Module({
  imports: [NodesModule, ResourcesModule, AuditModule, CredentialsModule],
  controllers: [UploadAdminController],
  providers: [BuiltinSeedService],
})
export class BuiltinSeedModule {}
