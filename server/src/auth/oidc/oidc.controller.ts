import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Ip,
  Logger,
  NotFoundException,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthProviders, LoginResponse, OidcDevicePoll, OidcDeviceStart } from '@shoal/contract';
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AuditService } from '../../audit/audit.service.js';
import { Public } from '../../common/decorators.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { REDIS } from '../../redis/redis.module.js';
import { mapUser, UsersService, type SsoIdentity } from '../../users/users.service.js';
import type { User } from '../../users/user.entity.js';
import { UserTokensService } from '../user-tokens.service.js';
import { clearCookie, readCookie, setCookie } from './cookies.js';
import { OidcDeviceTokenDto } from './dto/oidc-device-token.dto.js';
import { OidcClaimsError } from './oidc-identity.js';
import { errorText, OidcService, SEAL, type LoginChecks } from './oidc.service.js';

const LOGIN_COOKIE = 'shoal_oidc';
/** From the click on "Sign in with ..." to the callback: time to type a password at the IdP. */
const LOGIN_TTL_SECONDS = 600;
const HANDOFF_COOKIE = 'shoal_sso';
/** From the callback's redirect to the portal's POST /session: one page load. */
const HANDOFF_TTL_SECONDS = 60;
/** One device poll holds its request this long at most, then answers "pending". */
const DEVICE_POLL_HOLD_MS = 20_000;
/** Device polls held open at once on this instance; more are answered 429. */
const MAX_DEVICE_POLLS = 64;
/**
 * Device sign-ins one address may start per minute: each is a request to the IdP with our
 * client secret, from a route anyone can call (shared by every instance through Redis).
 */
const DEVICE_STARTS_PER_MINUTE = 10;

/**
 * Single sign-on with OpenID Connect: the portal's redirect flow and the CLI's device flow,
 * both ending in the same Shoal session a password login gives (UserTokensService).
 */
@ApiTags('auth')
@Controller('api/auth')
export class OidcController {
  private readonly logger = new Logger('OIDC');
  private devicePolls = 0;
  private readonly deviceStarts: RateLimiterAbstract;

  constructor(
    private readonly oidc: OidcService,
    private readonly users: UsersService,
    private readonly tokens: UserTokensService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly app: AppConfig,
    @Inject(REDIS) redis: Redis | null,
  ) {
    const opts = { keyPrefix: 'oidc-device-start', points: DEVICE_STARTS_PER_MINUTE, duration: 60 };
    this.deviceStarts = redis ? new RateLimiterRedis({ storeClient: redis, ...opts }) : new RateLimiterMemory(opts);
  }

  private get secure(): boolean {
    return this.app.publicUrl.startsWith('https:');
  }

  @Public()
  @Get('providers')
  @ApiOperation({ summary: 'Sign-in methods besides username and password' })
  providers(): AuthProviders {
    const config = this.oidc.config;
    return {
      oidc: config ? { name: config.displayName, loginPath: '/api/auth/oidc/login' } : null,
    };
  }

  @Public()
  @Get('oidc/login')
  @ApiOperation({ summary: 'Sends the browser to the identity provider' })
  async login(@Res() res: Response): Promise<void> {
    this.requireConfigured();
    try {
      const { url, checks } = await this.oidc.startLogin();
      const sealed = await this.oidc.seals.seal(SEAL.login, { ...checks }, LOGIN_TTL_SECONDS);
      setCookie(res, LOGIN_COOKIE, sealed, LOGIN_TTL_SECONDS, this.secure);
      res.redirect(302, url.href);
    } catch (err) {
      this.logger.warn(`single sign-on could not start: ${errorText(err)}`);
      res.redirect(302, '/login?sso_error=sso_unavailable');
    }
  }

  @Public()
  @Get('oidc/callback')
  @ApiOperation({ summary: 'Where the identity provider sends the browser back' })
  async callback(@Req() req: Request, @Res() res: Response, @Ip() ip: string): Promise<void> {
    this.requireConfigured();
    const opened = await this.oidc.seals.open(SEAL.login, readCookie(req, LOGIN_COOKIE));
    clearCookie(res, LOGIN_COOKIE, this.secure);
    const fail = (code: string) => res.redirect(302, `/login?sso_error=${encodeURIComponent(code)}`);
    if (!opened) return fail('sso_expired');
    const checks = opened as unknown as LoginChecks;
    let identity: SsoIdentity;
    try {
      identity = await this.oidc.finishLogin(new URL(req.originalUrl, 'http://x').search, checks);
    } catch (err) {
      await this.refused(null, ip, errorText(err));
      return fail(err instanceof OidcClaimsError ? err.code : 'sso_refused');
    }
    let user: User;
    try {
      user = await this.signIn(identity, ip);
    } catch (err) {
      return fail(err instanceof HttpException ? codeOf(err) : 'sso_refused');
    }
    const handoff = await this.oidc.seals.seal(
      SEAL.handoff,
      { uid: user.id, at: Math.floor(Date.now() / 1000) },
      HANDOFF_TTL_SECONDS,
    );
    setCookie(res, HANDOFF_COOKIE, handoff, HANDOFF_TTL_SECONDS, this.secure);
    res.redirect(302, '/login?sso=done');
  }

  @Public()
  @Post('oidc/session')
  @HttpCode(200)
  @ApiOperation({ summary: 'The Shoal session for a browser just back from the identity provider' })
  async session(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<LoginResponse> {
    this.requireConfigured();
    const opened = await this.oidc.seals.open(SEAL.handoff, readCookie(req, HANDOFF_COOKIE));
    clearCookie(res, HANDOFF_COOKIE, this.secure);
    const user = typeof opened?.uid === 'string' ? await this.users.findActive(opened.uid) : null;
    if (!user || typeof opened?.at !== 'number') {
      throw new UnauthorizedException({ code: 'sso_expired', message: 'single sign-on did not finish; sign in again' });
    }
    return this.sessionFor(user, opened.at);
  }

  @Public()
  @Post('oidc/device')
  @HttpCode(200)
  @ApiOperation({ summary: 'Starts the device authorization grant (RFC 8628) for the CLI' })
  async device(@Ip() ip: string, @Res({ passthrough: true }) res: Response): Promise<OidcDeviceStart> {
    this.requireConfigured();
    try {
      await this.deviceStarts.consume(ip, 1);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(retryAfter));
      throw new HttpException(
        {
          code: 'too_many_requests',
          message: `too many device sign-ins started; retry in ${retryAfter} s`,
          retryAfter,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    let started;
    try {
      started = await this.oidc.startDevice();
    } catch (err) {
      this.logger.warn(`device authorization failed: ${errorText(err)}`);
      throw new HttpException(
        { code: 'sso_unavailable', message: 'the identity provider did not start a device sign-in' },
        HttpStatus.BAD_GATEWAY,
      );
    }
    if (!started) {
      throw new HttpException(
        {
          code: 'sso_device_flow_unsupported',
          message: 'the identity provider offers no device sign-in: log in with --user, or use the portal',
        },
        HttpStatus.NOT_IMPLEMENTED,
      );
    }
    const interval = Math.min(60, Math.max(1, started.interval ?? 5));
    const expiresIn = Math.min(1800, Math.max(30, started.expires_in));
    const handle = await this.oidc.seals.seal(
      SEAL.device,
      { dc: started.device_code, i: interval, e: expiresIn },
      expiresIn,
    );
    return {
      handle,
      userCode: started.user_code,
      verificationUri: started.verification_uri,
      verificationUriComplete: started.verification_uri_complete ?? null,
      expiresIn,
      interval,
    };
  }

  @Public()
  @Post('oidc/device/token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Waits (up to 20 s) for the user to approve a device sign-in' })
  async deviceToken(@Body() dto: OidcDeviceTokenDto, @Ip() ip: string): Promise<OidcDevicePoll> {
    this.requireConfigured();
    const opened = await this.oidc.seals.open(SEAL.device, dto.handle);
    if (!opened || typeof opened.dc !== 'string' || typeof opened.i !== 'number' || typeof opened.e !== 'number') {
      throw new UnauthorizedException({ code: 'sso_expired', message: 'this device sign-in has expired; start again' });
    }
    if (this.devicePolls >= MAX_DEVICE_POLLS) {
      throw new HttpException({ code: 'too_many_requests', message: 'too many device sign-ins waiting' }, 429);
    }
    this.devicePolls++;
    let identity: SsoIdentity | null;
    try {
      identity = await this.oidc.pollDevice(
        { device_code: opened.dc, interval: opened.i, expires_in: opened.e },
        DEVICE_POLL_HOLD_MS,
      );
    } catch (err) {
      await this.refused(null, ip, errorText(err));
      throw new UnauthorizedException({
        code: err instanceof OidcClaimsError ? err.code : 'sso_refused',
        message: `the identity provider refused: ${errorText(err)}`,
      });
    } finally {
      this.devicePolls--;
    }
    if (!identity) return { status: 'pending' };
    const user = await this.signIn(identity, ip);
    return { status: 'done', ...(await this.sessionFor(user, Math.floor(Date.now() / 1000))) };
  }

  /** Creates or refreshes the user from a validated identity; refuses a disabled one. */
  private async signIn(identity: SsoIdentity, ip: string): Promise<User> {
    let user: User;
    try {
      user = await this.users.upsertFromSso(identity);
    } catch (err) {
      await this.refused(identity.username, ip, errorText(err instanceof HttpException ? err.message : err));
      throw err;
    }
    const actor = { id: user.id, username: user.username, role: user.role };
    if (user.disabled) {
      await this.refused(user.username, ip, 'user disabled', actor);
      throw new UnauthorizedException({ code: 'sso_user_disabled', message: 'this Shoal account is disabled' });
    }
    await this.audit.record('auth.login', actor, {
      address: ip,
      detail: `single sign-on, groups: ${(mapUser(user).groups ?? []).join(', ').slice(0, 200) || 'none'}`,
    });
    return user;
  }

  private async sessionFor(user: User, authTime: number): Promise<LoginResponse> {
    const { accessToken, expiresAt } = await this.tokens.issue(
      { id: user.id, username: user.username, role: user.role, sessionGeneration: user.sessionGeneration },
      authTime,
    );
    return { accessToken, expiresAt: expiresAt.toISOString(), user: mapUser(user) };
  }

  private async refused(
    username: string | null,
    ip: string,
    why: string,
    actor: { id: string; username: string; role: User['role'] } | null = null,
  ): Promise<void> {
    this.logger.warn(`single sign-on refused${username ? ` for "${username}"` : ''} from ${ip}: ${why}`);
    await this.audit.record('auth.login-failed', actor, {
      username: username ?? undefined,
      address: ip,
      detail: `single sign-on: ${why}`.slice(0, 250),
    });
  }

  private requireConfigured(): void {
    if (!this.oidc.config) {
      throw new NotFoundException({ code: 'sso_not_configured', message: 'single sign-on is not configured' });
    }
  }
}

function codeOf(err: HttpException): string {
  const body = err.getResponse();
  return typeof body === 'object' && body && 'code' in body && typeof body.code === 'string'
    ? body.code
    : 'sso_refused';
}
