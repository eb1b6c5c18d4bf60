import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_VERSION, OLDEST_API_VERSION } from '@shoal/contract';
import { Public } from '../common/decorators.js';
import { SERVER_COMMIT, SERVER_RELEASE } from './server-version.js';

@ApiTags('health')
@Controller('api/version')
export class VersionController {
  @Public()
  @Get()
  @ApiOperation({ summary: 'The server release, its commit, and the agent API versions it works with' })
  version(): { version: string; commit: string; api: number; oldestAgentApi: number } {
    return { version: SERVER_RELEASE, commit: SERVER_COMMIT, api: API_VERSION, oldestAgentApi: OLDEST_API_VERSION };
  }
}
