import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EnrollmentTokenResponse, NodeSummary, Page } from '@shoal/contract';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser, Roles } from '../common/decorators.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { EnrollmentTokenCreateDto, NodeListQueryDto } from './dto/node.dto.js';
import { mapNode, NodesService } from './nodes.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/admin')
export class NodeAdminController {
  constructor(
    private readonly nodes: NodesService,
    private readonly audit: AuditService,
  ) {}

  @Post('enrollment-tokens')
  @ApiOperation({ summary: 'Create a one-time enrollment token and the command ops paste on a seed server' })
  async createToken(
    @Body() dto: EnrollmentTokenCreateDto,
    @CurrentUser() actor: AuthenticatedUser,
  ): Promise<EnrollmentTokenResponse> {
    const created = await this.nodes.createEnrollmentToken(dto, actor);
    await this.audit.record('enrollment-token.create', actor);
    return created;
  }

  @Get('nodes')
  @ApiOperation({ summary: 'List enrolled nodes with filter and sort' })
  list(@Query() query: NodeListQueryDto): Promise<Page<NodeSummary>> {
    return this.nodes.list(query);
  }

  @Get('nodes/:id')
  @ApiOperation({ summary: 'One node with what it holds' })
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const node = await this.nodes.getOrFail(id);
    const holdings = await this.nodes.holdings(id);
    return {
      ...mapNode(node),
      holdings: holdings.map((h) => ({ resourceId: h.resourceId, complete: h.complete, piecesHeld: h.piecesHeld })),
    };
  }

  @Post('nodes/:id/revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke a node: its credentials stop working at once on this server and at peers once they learn it',
  })
  async revoke(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() actor: AuthenticatedUser,
  ): Promise<NodeSummary> {
    const node = await this.nodes.revoke(id);
    await this.audit.record('node.revoke', actor, { nodeId: id });
    return mapNode(node);
  }
}
