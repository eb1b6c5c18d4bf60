import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { PreheatJob } from '@shoal/contract';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser, Roles } from '../common/decorators.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { PreheatCreateDto, PreheatListQueryDto } from './preheat.dto.js';
import { PreheatService } from './preheat.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/admin/preheat')
export class PreheatAdminController {
  constructor(
    private readonly preheat: PreheatService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Place a resource on chosen seed servers, or all seed servers of a site, ahead of demand' })
  async create(@Body() dto: PreheatCreateDto, @CurrentUser() actor: AuthenticatedUser): Promise<PreheatJob> {
    const job = await this.preheat.create(dto, actor);
    await this.audit.record('preheat.create', actor, { resourceId: dto.resourceId });
    return job;
  }

  @Get()
  @ApiOperation({ summary: 'Preheat jobs, newest first, with each node’s state' })
  list(@Query() query: PreheatListQueryDto): Promise<PreheatJob[]> {
    return this.preheat.list(query.resourceId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One preheat job with each node’s state' })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<PreheatJob> {
    return this.preheat.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a preheat job; seed servers stop fetching it' })
  async cancel(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() actor: AuthenticatedUser,
  ): Promise<PreheatJob> {
    const job = await this.preheat.cancel(id);
    await this.audit.record('preheat.cancel', actor, { resourceId: job.resourceId });
    return job;
  }
}
