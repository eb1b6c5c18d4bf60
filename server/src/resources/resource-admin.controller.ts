import { Body, Controller, Delete, HttpCode, Param, ParseUUIDPipe, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ResourceDetail } from '@shoal/contract';
import type { Response } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser, Roles, TokenScope } from '../common/decorators.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { ResourceAdminPublishDto, ResourceAdminUpdateDto } from './dto/resource.dto.js';
import { ResourcesService } from './resources.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@TokenScope('publish')
@Controller('api/admin/resources')
export class ResourceAdminController {
  constructor(
    private readonly resources: ResourcesService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Publish splitting metadata (201), or get the existing resource for the same content (200)',
  })
  async publish(
    @Body() dto: ResourceAdminPublishDto,
    @CurrentUser() actor: AuthenticatedUser,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ResourceDetail> {
    const { resource, created } = await this.resources.publish(dto, actor);
    res.status(created ? 201 : 200);
    if (created) await this.audit.record('resource.publish', actor, { resourceId: resource.id });
    return this.resources.detail(resource.id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Edit name, description or tags' })
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: ResourceAdminUpdateDto,
    @CurrentUser() actor: AuthenticatedUser,
  ): Promise<ResourceDetail> {
    await this.resources.update(id, dto);
    await this.audit.record('resource.update', actor, { resourceId: id });
    return this.resources.detail(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a resource from the catalog' })
  async remove(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthenticatedUser): Promise<void> {
    const { name } = await this.resources.getOrFail(id);
    await this.resources.remove(id);
    // Its row is gone, so the entry keeps the name an auditor will look for.
    await this.audit.record('resource.delete', actor, { resourceId: id, detail: `"${name}"` });
  }
}
