import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { Node } from '../nodes/node.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { User } from '../users/user.entity.js';
import { DownloadRequestNodeController } from './download-request-node.controller.js';
import { DownloadRequestEntity } from './download-request.entity.js';
import { DownloadRequestsService } from './download-requests.service.js';
import { MyDownloadsController } from './my-downloads.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([DownloadRequestEntity, Node, Resource, User]), ResourcesModule, AuditModule],
  controllers: [MyDownloadsController, DownloadRequestNodeController],
  providers: [DownloadRequestsService],
  exports: [DownloadRequestsService],
})
export class DownloadRequestsModule {}
