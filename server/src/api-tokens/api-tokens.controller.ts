import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiTokenCreated, ApiTokenSummary } from '@shoal/contract';
import { CurrentUser, TokenScope } from '../common/decorators.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { ApiTokensService } from './api-tokens.service.js';
import { ApiTokenCreateDto } from './dto/api-token.dto.js';

/**
 * The signed-in user's own API tokens. Apart from `current`, no @TokenScope: these routes
 * take a login session only, so a token can never make, list or revoke tokens (a read-only
 * token minting an admin one, or a leaked one revoking its owner's others).
 */
@ApiTags('me')
@ApiBearerAuth()
@Controller('api/me/tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API token; the answer is the only time its secret is shown' })
  create(@Body() dto: ApiTokenCreateDto, @CurrentUser() user: AuthenticatedUser): Promise<ApiTokenCreated> {
    return this.tokens.create(user, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Your API tokens (never their secrets), newest first, with when each was last used' })
  list(@CurrentUser() user: AuthenticatedUser): Promise<ApiTokenSummary[]> {
    return this.tokens.list(user.id);
  }

  @Get('current')
  @TokenScope('catalog:read')
  @ApiOperation({ summary: 'The API token this request came with (how `shoal login --token-stdin` checks one)' })
  current(@CurrentUser() user: AuthenticatedUser): Promise<ApiTokenSummary> {
    if (!user.apiToken) {
      throw new BadRequestException({ code: 'not_an_api_token', message: 'this request came with a login session' });
    }
    return this.tokens.get(user.id, user.apiToken.id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of your API tokens: it is refused from the next request on' })
  revoke(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: AuthenticatedUser): Promise<void> {
    return this.tokens.revoke(user, id);
  }
}
