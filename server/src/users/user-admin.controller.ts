import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Page, UserSummary } from '@shoal/contract';
import { CurrentUser, Roles } from '../common/decorators.js';
import { PageQueryDto } from '../common/page-query.dto.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { AuditService } from '../audit/audit.service.js';
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
  ) {}

  @Get()
  @ApiOperation({ summary: 'List users; q searches usernames by prefix' })
  list(@Query() query: PageQueryDto): Promise<Page<UserSummary>> {
    return this.users.list(query.q, query.page, query.size);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user' })
  async create(@Body() dto: UserAdminCreateDto, @CurrentUser() actor: AuthenticatedUser): Promise<UserSummary> {
    const user = await this.users.create(dto.username, dto.password, dto.role);
    await this.audit.record('user.create', actor, { subjectUserId: user.id });
    return mapUser(user);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change role or disable/enable a user' })
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UserAdminUpdateDto,
    @CurrentUser() actor: AuthenticatedUser,
  ): Promise<UserSummary> {
    const user = await this.users.update(id, dto, actor.id);
    await this.audit.record('user.update', actor, { subjectUserId: id });
    return mapUser(user);
  }

  @Post(':id/password')
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
