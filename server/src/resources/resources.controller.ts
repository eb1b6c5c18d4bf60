import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Page, ResourceDetail, ResourceSummary } from '@shoal/contract';
import type { Response } from 'express';
import { CurrentUser, TokenScope } from '../common/decorators.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { ManifestQueryDto, ResourceListQueryDto } from './dto/resource.dto.js';
import { manifestFileName, ManifestService } from './manifest.service.js';
import { ResourcesService } from './resources.service.js';

@ApiTags('resources')
@ApiBearerAuth()
@TokenScope('catalog:read')
@Controller('api/resources')
export class ResourcesController {
  constructor(
    private readonly resources: ResourcesService,
    private readonly manifests: ManifestService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Browse and search the catalog (q: every word must start a word of the name)' })
  list(@Query() query: ResourceListQueryDto): Promise<Page<ResourceSummary>> {
    return this.resources.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A resource with its files, piece layout, providers and downloaders' })
  detail(@Param('id', new ParseUUIDPipe()) id: string): Promise<ResourceDetail> {
    return this.resources.detail(id);
  }

  @Get(':id/pieces')
  @ApiOperation({ summary: 'Piece size and the SHA-256 of every piece' })
  async pieces(@Param('id', new ParseUUIDPipe()) id: string) {
    const r = await this.resources.getOrFail(id);
    return { pieceSize: r.pieceSize, pieceHashes: this.resources.pieceHashes(r) };
  }

  @Get(':id/manifest')
  @ApiOperation({
    summary:
      'Download the .shoal.json manifest with a download ticket for the caller (audited); node: bind it to one of your nodes',
  })
  async manifest(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: ManifestQueryDto,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const manifest = await this.manifests.build(id, user, query.node, { ownNodeOnly: true });
    const fileName = manifestFileName(manifest.name);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
    res.setHeader('Cache-Control', 'no-store');
    return JSON.stringify(manifest, null, 2);
  }
}
