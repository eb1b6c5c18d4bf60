import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { TOKEN_ISSUER, TOKEN_TYPES, USER_TOKEN_ALG, type UserAccessClaims } from '@shoal/contract';
import type { AuthenticatedUser } from '../common/principals.js';
import { UsersService } from '../users/users.service.js';
import { UserTokensService } from './user-tokens.service.js';

/**
 * passport-jwt for user tokens: HS256 only (no `none`, no public-key confusion), issuer
 * checked, and the user looked up on every request so a disabled user or a changed role
 * takes effect even with an unexpired token: at once on this instance, within
 * ACTIVE_USER_TTL_MS on a sibling instance (UsersService.findActiveRecently). So does
 * signing out everywhere: a token of an earlier session generation (`gen`) is refused.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    tokens: UserTokensService,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: [USER_TOKEN_ALG],
      issuer: TOKEN_ISSUER,
      ignoreExpiration: false,
      // jsonwebtoken takes a KeyObject; passport-jwt's types name only string and Buffer.
      passReqToCallback: true,
      secretOrKeyProvider: (_req: unknown, _raw: unknown, done: (err: Error | null, key?: Buffer) => void) =>
        done(null, tokens.verificationKey as unknown as Buffer),
    });
  }

  async validate(req: Request, claims: UserAccessClaims): Promise<AuthenticatedUser | false> {
    if (claims.typ !== TOKEN_TYPES.user) return false;
    const user = await this.users.findActiveRecently(claims.sub);
    if (!user || (claims.gen ?? 0) !== user.sessionGeneration) return false;
    return { id: user.id, username: user.username, role: user.role, authTime: claims.auth_time, address: req.ip };
  }
}
