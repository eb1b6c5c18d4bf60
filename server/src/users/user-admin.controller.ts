import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Page, UserSummary } from '@shoal/contract';
import { CurrentUser, Roles, SessionOnly } from '../common/decorators.js';
import { PageQueryDto } from '../common/page-query.dto.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { AuditService } from '../audit/audit.service.js';
import { NodesService } from '../nodes/nodes.service.js';
import { UserAdminCreateDto, UserAdminPasswordDto, UserAdminUpdateDto } from './dto/user-admin.dto.js';
import { mapUser, UsersService } from './users.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/admin/users')
export class UserAdminController {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
    // NodesModule imports UsersModule; resolved at call time instead of a module cycle.
    private readonly moduleRef: ModuleRef,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List users; q searches usernames by prefix' })
  list(@Query() query: PageQueryDto): Promise<Page<UserSummary>> {
    return this.users.list(query.q, query.page, query.size);
  }

  @Post()
  @SessionOnly()
  @ApiOperation({ summary: 'Create a user' })
  async create(@Body() dto: UserAdminCreateDto, @CurrentUser() actor: AuthenticatedUser): Promise<UserSummary> {
    const user = await this.users.create(dto.username, dto.password, dto.role);
    await this.audit.record('user.create', actor, { subjectUserId: user.id });
    return mapUser(user);
  }

  @Patch(':id')
  @SessionOnly()
  @ApiOperation({
    summary:
      'Change role or disable/enable a user; disabling revokes the client nodes they enrolled (re-enabling does not restore them)',
  })
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UserAdminUpdateDto,
    @CurrentUser() actor: AuthenticatedUser,
  ): Promise<UserSummary> {
    const user = await this.users.update(id, dto, actor.id);
    await this.audit.record('user.update', actor, {
      subjectUserId: id,
      detail: dto.disabled === undefined ? undefined : dto.disabled ? 'disabled' : 'enabled',
    });
    if (user.disabled) {
      const nodes = this.moduleRef.get(NodesService, { strict: false });
      for (const node of await nodes.revokeClientNodesOf(id)) {
        await this.audit.record('node.revoke', actor, { nodeId: node.id, detail: `user ${user.username} disabled` });
      }
    }
    return mapUser(user);
  }

  @Post(':id/password')
  @SessionOnly()
  @HttpCode(204)
  @ApiOperation({ summary: "Reset a user's password" })
  async resetPassword(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UserAdminPasswordDto,
    @CurrentUser() actor: AuthenticatedUser,
  ): Promise<void> {
    await this.users.resetPassword(id, dto.password);
    await this.audit.record('user.password-reset', actor, { subjectUserId: id });
  }
}
