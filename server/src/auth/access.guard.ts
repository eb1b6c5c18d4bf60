import { ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { API_TOKEN_PREFIX, type ApiTokenScope, type UserRole } from '@shoal/contract';
import type { Request } from 'express';
import { ApiTokensService, scopeCovers } from '../api-tokens/api-tokens.service.js';
import { IS_PUBLIC, NODE_AUTH, ROLES, TOKEN_SCOPE } from '../common/decorators.js';
import type { AuthenticatedNode, AuthenticatedUser } from '../common/principals.js';
import { NodeAuthError, NodeProofService, provenNode } from '../credentials/node-proof.service.js';
import { RevocationListService } from '../credentials/revocation-list.service.js';

/**
 * The one global guard. Login is required unless a route is @Public(); @NodeAuth()
 * routes take a node credential with its proof of possession instead of a user token
 * (and refuse user tokens, and node credentials sent as bearer tokens);
 * @Roles() restricts by user role. A bearer token starting with API_TOKEN_PREFIX is an API
 * token: it passes where its scopes cover the route's @TokenScope() (admin routes need
 * `admin` unless they say otherwise; routes without a scope take login sessions only).
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly proofs: NodeProofService,
    private readonly revocations: RevocationListService,
    private readonly apiTokens: ApiTokensService,
  ) {
    super();
  }

  override async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(NODE_AUTH, targets)) return this.authenticateNode(ctx);

    const req = ctx.switchToHttp().getRequest<Request & { user: AuthenticatedUser }>();
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer?.startsWith(API_TOKEN_PREFIX))
      req.user = { ...(await this.apiTokens.authenticate(bearer)), address: req.ip };
    else await (super.canActivate(ctx) as Promise<boolean>);
    const user = req.user;
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, targets);
    if (roles?.length && !roles.includes(user.role)) {
      throw new ForbiddenException({ code: 'forbidden', message: `needs role ${roles.join(' or ')}` });
    }
    if (user.apiToken) {
      const needed =
        this.reflector.getAllAndOverride<ApiTokenScope | undefined>(TOKEN_SCOPE, targets) ??
        (roles?.includes('admin') ? 'admin' : undefined);
      if (!needed) {
        throw new ForbiddenException({
          code: 'session_required',
          message: 'this needs a login session; an API token cannot do it',
        });
      }
      if (!scopeCovers(user.apiToken.scopes, needed)) {
        throw new ForbiddenException({ code: 'insufficient_scope', message: `this API token lacks scope ${needed}` });
      }
    }
    return true;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err || !user) {
      throw new UnauthorizedException({ code: 'unauthorized', message: 'a valid user access token is required' });
    }
    return user;
  }

  private async authenticateNode(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request & { node?: AuthenticatedNode }>();
    let claims = provenNode(req);
    if (!claims) {
      try {
        claims = await this.proofs.authenticate({ method: req.method, url: req.originalUrl, headers: req.headers });
      } catch (err) {
        if (err instanceof NodeAuthError)
          throw new UnauthorizedException({ code: 'unauthorized', message: err.message });
        throw err;
      }
    }
    if (this.revocations.isRevoked(claims.sub)) {
      throw new UnauthorizedException({ code: 'node_revoked', message: 'this node has been revoked' });
    }
    req.node = { id: claims.sub, name: claims.name, role: claims.role, site: claims.site, issuedAt: claims.iat };
    return true;
  }
}
