import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators.js';
import { SigningKeysService } from './signing-keys.service.js';

@ApiTags('credentials')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeysService) {}

  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: "The server's public signing keys; agents verify credentials and tickets with them" })
  jwks() {
    return this.keys.jwks();
  }
}
