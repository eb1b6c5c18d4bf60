import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { parseRedisUrl, reconnectOnReadOnly } from './redis-connection.js';

/** The shared Redis connection, or null on the embedded default (no REDIS_URL). */
export const REDIS = Symbol('REDIS');

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Redis | null => {
        if (!config.redisUrl) return null;
        const logger = new Logger('Redis');
        const options = {
          keyPrefix: config.redisPrefix,
          // Fail a command after a few retries instead of queueing it forever while Redis is down.
          maxRetriesPerRequest: 3,
          enableOfflineQueue: true,
          connectTimeout: 5_000,
          reconnectOnError: reconnectOnReadOnly,
        };
        const target = parseRedisUrl(config.redisUrl);
        const client = 'url' in target ? new Redis(target.url, options) : new Redis({ ...target.sentinel, ...options });
        client.on('error', (err: Error) => logger.warn(`redis: ${err.message}`));
        return client;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}
