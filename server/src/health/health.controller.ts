import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../common/decorators.js';
import { REDIS } from '../redis/redis.module.js';

type Status = 'up' | 'down' | 'not configured';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Health: the process answers and the database is reachable' })
  async health(): Promise<{ status: 'ok'; database: 'up' }> {
    if ((await this.database()) !== 'up') {
      throw new ServiceUnavailableException({ code: 'database_down', message: 'database unreachable' });
    }
    return { status: 'ok', database: 'up' };
  }

  @Public()
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (no dependency checked)' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database and, when configured, Redis answer' })
  async ready(): Promise<{ status: 'ready'; database: Status; redis: Status }> {
    const [database, redis] = await Promise.all([this.database(), this.redisStatus()]);
    if (database !== 'up' || redis === 'down') {
      throw new ServiceUnavailableException({ code: 'not_ready', message: `database ${database}, redis ${redis}` });
    }
    return { status: 'ready', database, redis };
  }

  private async database(): Promise<Status> {
    try {
      await this.db.query('SELECT 1');
      return 'up';
    } catch {
      return 'down';
    }
  }

  private async redisStatus(): Promise<Status> {
    if (!this.redis) return 'not configured';
    try {
      return (await Promise.race([this.redis.ping(), new Promise((_, no) => setTimeout(no, 2000))])) === 'PONG'
        ? 'up'
        : 'down';
    } catch {
      return 'down';
    }
  }
}
