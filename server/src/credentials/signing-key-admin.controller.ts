import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, SessionOnly } from '../common/decorators.js';
import { SigningKeysService } from './signing-keys.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@SessionOnly()
@Controller('api/admin/signing-keys')
export class SigningKeyAdminController {
  constructor(private readonly keys: SigningKeysService) {}

  @Post('rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start signing with a new key; the old one stays published until its credentials expire' })
  async rotate(): Promise<{ kid: string }> {
    return { kid: await this.keys.rotate() };
  }
}
