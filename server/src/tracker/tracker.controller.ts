import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AnnounceResponse } from '@shoal/contract';
import type { Request } from 'express';
import { CurrentNode, NodeAuth } from '../common/decorators.js';
import type { AuthenticatedNode } from '../common/principals.js';
import { AnnounceDto } from './dto/announce.dto.js';
import { TrackerService } from './tracker.service.js';
import { failedAnnounce, withSessionGrant } from './tracker.fast-path.js';
import { TrackerSessionService } from '../credentials/tracker-session.service.js';

/** Most announces are answered before this controller, by TrackerFastPath; the rest come here. */
@ApiTags('tracker')
@ApiBearerAuth()
@NodeAuth()
@Controller('api/tracker')
export class TrackerController {
  constructor(
    private readonly tracker: TrackerService,
    private readonly sessions: TrackerSessionService,
  ) {}

  @Post('announce')
  @HttpCode(200)
  @ApiOperation({ summary: 'Tell the tracker what this node is doing; get peers back (node credential)' })
  announce(
    @CurrentNode() node: AuthenticatedNode,
    @Body() dto: AnnounceDto,
    @Req() req: Request,
  ): Promise<AnnounceResponse> {
    // The fast path already ran this announce and it failed: answer with that failure.
    const failure = failedAnnounce(req);
    if (failure !== undefined) return Promise.reject(failure);
    return this.tracker.announce(node, dto).then((answer) => withSessionGrant(answer, req, node, this.sessions));
  }
}
