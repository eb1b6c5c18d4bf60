import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { DownloadRequestsModule } from '../download-requests/download-requests.module.js';
import { PreheatModule } from '../preheat/preheat.module.js';
import { TrackerModule } from '../tracker/tracker.module.js';
import { UsersModule } from '../users/users.module.js';
import { EnrollmentController } from './enrollment.controller.js';
import { EnrollmentToken } from './enrollment-token.entity.js';
import { EnrollmentTokensService } from './enrollment-tokens.service.js';
import { NodeAdminController } from './node-admin.controller.js';
import { NodeHolding } from './node-holding.entity.js';
import { Node } from './node.entity.js';
import { NodesService } from './nodes.service.js';
import { TrafficBucket } from './traffic-bucket.entity.js';
import { TrafficService } from './traffic.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Node, NodeHolding, EnrollmentToken, TrafficBucket]),
    AuthModule,
    UsersModule,
    CredentialsModule,
    TrackerModule,
    AuditModule,
    PreheatModule,
    DownloadRequestsModule,
  ],
  controllers: [EnrollmentController, NodeAdminController],
  providers: [NodesService, EnrollmentTokensService, TrafficService],
  exports: [NodesService, TrafficService],
})
export class NodesModule {}
