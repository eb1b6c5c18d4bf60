import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuditEntry, Page } from '@shoal/contract';
import { Roles } from '../common/decorators.js';
import { PageQueryDto } from '../common/page-query.dto.js';
import { AuditService } from './audit.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/admin/audit')
export class AuditAdminController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Audit log, newest first (manifest downloads, publishes, revocations, user changes)' })
  list(@Query() query: PageQueryDto): Promise<Page<AuditEntry>> {
    return this.audit.list(query.page, query.size);
  }
}
