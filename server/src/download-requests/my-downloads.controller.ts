import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DownloadRequest, MyNode, Page } from '@shoal/contract';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser } from '../common/decorators.js';
import { PageQueryDto } from '../common/page-query.dto.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { DownloadRequestCreateDto } from './download-requests.dto.js';
import { DownloadRequestsService } from './download-requests.service.js';

/** Any signed-in user's own machines and the downloads sent to them ("Send to my machine"). */
@ApiTags('me')
@ApiBearerAuth()
@Controller('api/me')
export class MyDownloadsController {
  constructor(
    private readonly requests: DownloadRequestsService,
    private readonly audit: AuditService,
  ) {}

  @Get('nodes')
  @ApiOperation({ summary: 'Your enrolled machines (not revoked), to send a resource to' })
  nodes(@CurrentUser() user: AuthenticatedUser): Promise<MyNode[]> {
    return this.requests.myNodes(user);
  }

  @Post('download-requests')
  @ApiOperation({ summary: 'Ask one of your machines (an admin: any) to download a resource (audited)' })
  async create(
    @Body() dto: DownloadRequestCreateDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<DownloadRequest> {
    const request = await this.requests.create(dto, user);
    await this.audit.record('download-request.create', user, {
      resourceId: request.resourceId,
      nodeId: request.nodeId,
    });
    return request;
  }

  @Get('download-requests')
  @ApiOperation({ summary: 'Your download requests and those sent to your machines, newest first, with progress' })
  list(@Query() query: PageQueryDto, @CurrentUser() user: AuthenticatedUser): Promise<Page<DownloadRequest>> {
    return this.requests.list(user, query.page, query.size);
  }

  @Get('download-requests/:id')
  @ApiOperation({ summary: 'One of your download requests' })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: AuthenticatedUser): Promise<DownloadRequest> {
    return this.requests.get(id, user);
  }

  @Delete('download-requests/:id')
  @ApiOperation({ summary: 'Cancel a queued or running download request; the machine stops fetching it (audited)' })
  async cancel(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<DownloadRequest> {
    const request = await this.requests.cancel(id, user);
    await this.audit.record('download-request.cancel', user, {
      resourceId: request.resourceId,
      nodeId: request.nodeId,
    });
    return request;
  }
}
