import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  HttpException,
  HttpStatus,
  Ip,
  Patch,
  Post,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { LoginResponse } from '@shoal/contract';
import type { Response } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser } from '../common/decorators.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { mapUser, UsersService } from '../users/users.service.js';
import { PasswordChangeDto } from './dto/password-change.dto.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PasswordsService } from './passwords.service.js';
import { UserTokensService } from './user-tokens.service.js';

/**
 * Self-service for the signed-in user. No @TokenScope: login sessions only, so a leaked
 * API token can neither change its owner's password nor sign them out.
 */
@ApiTags('me')
@ApiBearerAuth()
@Controller('api/me')
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordsService,
    private readonly tokens: UserTokensService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditService,
  ) {}

  /**
   * The current password is checked like a login (same throttle), so a stolen session
   * cannot be used to guess it. Wrong answers 400, not 401: the session itself is fine.
   */
  @Patch('password')
  @ApiOperation({
    summary: 'Change your own password; your other sessions end, and this one gets a fresh token (LoginResponse)',
  })
  async changePassword(
    @Body() dto: PasswordChangeDto,
    @CurrentUser() principal: AuthenticatedUser,
    @Ip() ip: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponse> {
    const refused = await this.throttle.check(principal.username, ip);
    if (refused) {
      res.setHeader('Retry-After', String(refused.retryAfterSeconds));
      throw new HttpException(
        {
          code: 'too_many_requests',
          message: `too many wrong passwords; retry in ${refused.retryAfterSeconds} s`,
          retryAfter: refused.retryAfterSeconds,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const user = await this.users.getOrFail(principal.id);
    if (!(await this.passwords.verify(user.passwordHash, dto.currentPassword))) {
      await this.throttle.recordFailure(principal.username, ip);
      await this.audit.record('user.password-change-failed', principal, { address: ip });
      throw new BadRequestException({
        code: 'wrong_password',
        message: 'the current password is wrong',
        errors: { currentPassword: 'is wrong' },
      });
    }
    if (dto.newPassword === dto.currentPassword) {
      throw new BadRequestException({
        code: 'same_password',
        message: 'the new password must differ from the current one',
        errors: { newPassword: 'is the current one' },
      });
    }
    await this.throttle.recordSuccess(principal.username, ip);
    const changed = await this.users.changePassword(user.id, dto.newPassword);
    await this.audit.record('user.password-change', principal, { address: ip });
    // The password was just typed: a fresh session, the only one left.
    const { accessToken, expiresAt } = await this.tokens.issue(changed);
    return { accessToken, expiresAt: expiresAt.toISOString(), user: mapUser(changed) };
  }

  @Post('sign-out-everywhere')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End every session of yours, this one too (API tokens keep working: revoke those under /api/me/tokens)',
  })
  async signOutEverywhere(@CurrentUser() principal: AuthenticatedUser, @Ip() ip: string): Promise<void> {
    await this.users.endSessions(principal.id);
    await this.audit.record('auth.sign-out-everywhere', principal, { address: ip });
  }
}
