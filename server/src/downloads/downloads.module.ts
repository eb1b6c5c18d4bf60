import { Module } from '@nestjs/common';
import { AgentDownloadService } from './agent-download.service.js';
import { DownloadsController } from './downloads.controller.js';

@Module({ controllers: [DownloadsController], providers: [AgentDownloadService] })
export class DownloadsModule {}
