import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { ApiTokenScope, UserRole } from '@shoal/contract';
import type { Request } from 'express';
import type { AuthenticatedNode, AuthenticatedUser } from './principals.js';

export const IS_PUBLIC = 'shoal:public';
export const NODE_AUTH = 'shoal:node-auth';
export const ROLES = 'shoal:roles';
export const TOKEN_SCOPE = 'shoal:token-scope';

/** No login needed. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** Needs a node credential instead of a user token. */
export const NodeAuth = () => SetMetadata(NODE_AUTH, true);
/** Needs a user with one of these roles. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);
/**
 * An API token may call this route if it has this scope. Without it, @Roles('admin')
 * routes need `admin` and every other route takes only a login session, so a route added
 * later is closed to tokens until someone decides which scope it belongs to.
 */
export const TokenScope = (scope: ApiTokenScope) => SetMetadata(TOKEN_SCOPE, scope);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedUser => {
  return ctx.switchToHttp().getRequest<Request & { user: AuthenticatedUser }>().user;
});

export const CurrentNode = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedNode => {
  return ctx.switchToHttp().getRequest<Request & { node: AuthenticatedNode }>().node;
});
