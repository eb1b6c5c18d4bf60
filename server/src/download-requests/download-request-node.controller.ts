import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Manifest } from '@shoal/contract';
import { CurrentNode, NodeAuth } from '../common/decorators.js';
import type { AuthenticatedNode } from '../common/principals.js';
import { DownloadRequestsService } from './download-requests.service.js';

@ApiTags('nodes')
@ApiBearerAuth()
@NodeAuth()
@Controller('api/nodes/download-requests')
export class DownloadRequestNodeController {
  constructor(private readonly requests: DownloadRequestsService) {}

  @Get(':requestId/manifest')
  @ApiOperation({ summary: 'The manifest for one of this node’s open download requests (node credential)' })
  manifest(
    @CurrentNode() node: AuthenticatedNode,
    @Param('requestId', new ParseUUIDPipe()) requestId: string,
  ): Promise<Manifest> {
    return this.requests.manifestFor(node, requestId);
  }
}
