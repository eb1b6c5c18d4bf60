import { Body, Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AGENT_VERSION_HEADER, parseVersionHeader, type EnrollResponse, type HeartbeatResponse } from '@shoal/contract';
import type { Request } from 'express';
import { CurrentNode, NodeAuth, Public } from '../common/decorators.js';
import type { AuthenticatedNode } from '../common/principals.js';
import { UserTokensService } from '../auth/user-tokens.service.js';
import { DownloadRequestsService } from '../download-requests/download-requests.service.js';
import { PreheatService } from '../preheat/preheat.service.js';
import { UsersService } from '../users/users.service.js';
import { EnrollDto, HeartbeatDto } from './dto/node.dto.js';
import { NodesService } from './nodes.service.js';

@ApiTags('nodes')
@Controller('api/nodes')
export class EnrollmentController {
  constructor(
    private readonly nodes: NodesService,
    private readonly userTokens: UserTokensService,
    private readonly users: UsersService,
    private readonly preheat: PreheatService,
    private readonly downloads: DownloadRequestsService,
  ) {}

  @Public()
  @Post('enroll')
  @ApiOperation({ summary: 'Enroll an agent: with an enrollment token, or as a client with a user access token' })
  async enroll(@Body() dto: EnrollDto, @Req() req: Request): Promise<EnrollResponse> {
    const header = req.headers.authorization ?? '';
    let user = null;
    if (header.startsWith('Bearer ')) {
      const claims = await this.userTokens.verify(header.slice(7).trim());
      const row = claims ? await this.users.findActive(claims.sub) : null;
      if (row && (claims!.gen ?? 0) === row.sessionGeneration)
        user = { id: row.id, username: row.username, role: row.role };
    }
    return this.nodes.enroll(dto, user);
  }

  @NodeAuth()
  @ApiBearerAuth()
  @Post('heartbeat')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report holdings and counters; get a renewed credential and the revocation list (node credential)',
  })
  async heartbeat(
    @CurrentNode() node: AuthenticatedNode,
    @Body() dto: HeartbeatDto,
    @Headers(AGENT_VERSION_HEADER) agent?: string,
  ): Promise<HeartbeatResponse> {
    const release = parseVersionHeader(agent)?.release ?? null;
    const answer = await this.nodes.heartbeat(node, dto, node.issuedAt, release);
    const preheat = await this.preheat.heartbeat(node, dto.preheat);
    const downloads = await this.downloads.heartbeat(node, dto.downloads);
    // A node saying goodbye takes no new work; its progress reports above still count.
    return dto.leaving ? answer : { ...answer, ...preheat, ...downloads };
  }
}
