import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AnnounceResponse } from '@shoal/contract';
import { CurrentNode, NodeAuth } from '../common/decorators.js';
import type { AuthenticatedNode } from '../common/principals.js';
import { AnnounceDto } from './dto/announce.dto.js';
import { TrackerService } from './tracker.service.js';

@ApiTags('tracker')
@ApiBearerAuth()
@NodeAuth()
@Controller('api/tracker')
export class TrackerController {
  constructor(private readonly tracker: TrackerService) {}

  @Post('announce')
  @HttpCode(200)
  @ApiOperation({ summary: 'Tell the tracker what this node is doing; get peers back (node credential)' })
  announce(@CurrentNode() node: AuthenticatedNode, @Body() dto: AnnounceDto): Promise<AnnounceResponse> {
    return this.tracker.announce(node, dto);
  }
}
