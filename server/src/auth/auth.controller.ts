import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Ip,
  Logger,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TOKEN_LIFETIMES, type LoginResponse, type UserSummary } from '@shoal/contract';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser, Public, TokenScope } from '../common/decorators.js';
import { noteLoginName } from '../common/logging.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { mapUser, UsersService } from '../users/users.service.js';
import { LoginDto } from './dto/login.dto.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PasswordsService } from './passwords.service.js';
import { UserTokensService } from './user-tokens.service.js';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordsService,
    private readonly tokens: UserTokensService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange username and password for a short-lived access token' })
  async login(
    @Body() dto: LoginDto,
    @Ip() ip: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponse> {
    noteLoginName(req, dto.username);
    const refused = await this.throttle.check(dto.username, ip);
    if (refused) {
      res.setHeader('Retry-After', String(refused.retryAfterSeconds));
      throw new HttpException(
        {
          code: 'too_many_requests',
          message: `too many failed logins; retry in ${refused.retryAfterSeconds} s`,
          retryAfter: refused.retryAfterSeconds,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const user = await this.users.findByUsername(dto.username);
    const valid = await this.passwords.verify(user?.passwordHash ?? null, dto.password);
    if (!user || !valid || user.disabled) {
      const lockouts = await this.throttle.recordFailure(dto.username, ip);
      const actor = user ? { id: user.id, username: user.username, role: user.role } : null;
      const subject = { username: dto.username, address: ip };
      await this.audit.record('auth.login-failed', actor, {
        ...subject,
        detail: !user ? 'unknown user' : user.disabled ? 'user disabled' : 'wrong password',
      });
      for (const l of lockouts) {
        await this.audit.record('auth.lockout', actor, {
          ...subject,
          detail: `${l.scope} throttled for ${l.seconds} s`,
        });
        this.logger.warn(`logins for "${dto.username.slice(0, 64)}" from ${ip} throttled (${l.scope}, ${l.seconds} s)`);
      }
      this.logger.warn(`failed login for "${dto.username.slice(0, 64)}" from ${ip}`);
      throw new UnauthorizedException({ code: 'invalid_credentials', message: 'wrong username or password' });
    }
    await this.throttle.recordSuccess(dto.username, ip);
    await this.audit.record('auth.login', { id: user.id, username: user.username, role: user.role }, { address: ip });
    const { accessToken, expiresAt } = await this.tokens.issue(user);
    return { accessToken, expiresAt: expiresAt.toISOString(), user: mapUser(user) };
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'A fresh access token for the same session (at most 12 h after the password was typed)' })
  async refresh(@CurrentUser() principal: AuthenticatedUser): Promise<LoginResponse> {
    const authTime = principal.authTime ?? 0;
    if (Date.now() / 1000 - authTime > TOKEN_LIFETIMES.userSessionMaxSeconds) {
      throw new UnauthorizedException({ code: 'session_expired', message: 'the session is too old; log in again' });
    }
    const user = await this.users.getOrFail(principal.id);
    const { accessToken, expiresAt } = await this.tokens.issue(user, authTime);
    return { accessToken, expiresAt: expiresAt.toISOString(), user: mapUser(user) };
  }

  @Get('me')
  @TokenScope('catalog:read')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The logged-in user' })
  async me(@CurrentUser() principal: AuthenticatedUser): Promise<UserSummary> {
    return mapUser(await this.users.getOrFail(principal.id));
  }
}
