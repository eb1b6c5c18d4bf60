import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Manifest } from '@shoal/contract';
import { CurrentNode, NodeAuth } from '../common/decorators.js';
import type { AuthenticatedNode } from '../common/principals.js';
import { PreheatService } from './preheat.service.js';

@ApiTags('nodes')
@ApiBearerAuth()
@NodeAuth()
@Controller('api/nodes/preheat')
export class PreheatNodeController {
  constructor(private readonly preheat: PreheatService) {}

  @Get(':jobId/manifest')
  @ApiOperation({ summary: 'The manifest for one of this node’s preheat tasks (node credential)' })
  manifest(
    @CurrentNode() node: AuthenticatedNode,
    @Param('jobId', new ParseUUIDPipe()) jobId: string,
  ): Promise<Manifest> {
    return this.preheat.manifestFor(node, jobId);
  }
}
