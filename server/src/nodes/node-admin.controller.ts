import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EnrollmentTokenResponse, EnrollmentTokenSummary, NodeDetail, NodeSummary, Page } from '@shoal/contract';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser, Roles } from '../common/decorators.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { EnrollmentTokenCreateDto, EnrollmentTokenListQueryDto, NodeListQueryDto } from './dto/node.dto.js';
import { EnrollmentTokensService } from './enrollment-tokens.service.js';
import { mapNode, NodesService } from './nodes.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/admin')
export class NodeAdminController {
  constructor(
    private readonly nodes: NodesService,
    private readonly tokens: EnrollmentTokensService,
    private readonly audit: AuditService,
  ) {}

  @Post('enrollment-tokens')
  @ApiOperation({
    summary:
      'Create an enrollment token (one-time by default, or for up to maxUses machines) and the command ops paste on a seed server',
  })
  async createToken(
    @Body() dto: EnrollmentTokenCreateDto,
    @CurrentUser() actor: AuthenticatedUser,
  ): Promise<EnrollmentTokenResponse> {
    const created = await this.tokens.create(dto, actor);
    await this.audit.record('enrollment-token.create', actor, {
      detail: `token:${created.id} role ${created.role} max ${created.maxUses} uses until ${created.expiresAt}`,
    });
    return created;
  }

  @Get('enrollment-tokens')
  @ApiOperation({ summary: 'List enrollment tokens, newest first, with the uses each has had (never the token)' })
  listTokens(@Query() query: EnrollmentTokenListQueryDto): Promise<Page<EnrollmentTokenSummary>> {
    return this.tokens.list(query);
  }

  @Post('enrollment-tokens/:id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an enrollment token: no more machines enroll with it; those it enrolled stay' })
  async revokeToken(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() actor: AuthenticatedUser,
  ): Promise<EnrollmentTokenSummary> {
    const revoked = await this.tokens.revoke(id);
    await this.audit.record('enrollment-token.revoke', actor, {
      detail: `token:${id} after ${revoked.uses} of ${revoked.maxUses} uses`,
    });
    return revoked;
  }

  @Get('nodes')
  @ApiOperation({ summary: 'List enrolled nodes with filter and sort' })
  list(@Query() query: NodeListQueryDto): Promise<Page<NodeSummary>> {
    return this.nodes.list(query);
  }

  @Get('nodes/:id')
  @ApiOperation({ summary: "A node's page: what it is, its agent version, and what it holds (resource names)" })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<NodeDetail> {
    return this.nodes.detail(id);
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
