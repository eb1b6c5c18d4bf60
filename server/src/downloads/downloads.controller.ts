import { Controller, Get, Header, NotFoundException, Res, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AgentDownload } from '@shoal/contract';
import type { Response } from 'express';
import { Public } from '../common/decorators.js';
import { AgentDownloadService } from './agent-download.service.js';

const NOT_PACKAGED = {
  code: 'agent_not_packaged',
  message: 'this server was started without a packaged agent (build one with "npm run package")',
};

/**
 * The agent executable for employees' and seed machines, from the server they will talk to.
 * Public: a machine fetches it before it has a login, and the file holds no secret.
 */
@ApiTags('downloads')
@Controller()
export class DownloadsController {
  constructor(private readonly agent: AgentDownloadService) {}

  @Public()
  @Get('api/downloads/agent')
  @ApiOperation({ summary: 'The agent executable this server hands out: availability, size and SHA-256' })
  describe(): Promise<AgentDownload> {
    return this.agent.describe();
  }

  @Public()
  @Get('downloads/shoal')
  @ApiOperation({ summary: 'The agent as one executable for Linux x86-64 (no Node.js needed)' })
  @Header('Content-Type', 'application/octet-stream')
  @Header('Content-Disposition', 'attachment; filename="shoal"')
  async executable(@Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const file = await this.agent.open();
    if (!file) throw new NotFoundException(NOT_PACKAGED);
    res.setHeader('Content-Length', String(file.sizeBytes));
    res.setHeader('X-Checksum-Sha256', file.sha256);
    return new StreamableFile(file.stream);
  }

  @Public()
  @Get('downloads/shoal.sha256')
  @ApiOperation({ summary: 'SHA-256 of the agent executable, in `sha256sum -c` format' })
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async checksum(): Promise<string> {
    const about = await this.agent.describe();
    if (!about.sha256) throw new NotFoundException(NOT_PACKAGED);
    return `${about.sha256}  shoal\n`;
  }
}
