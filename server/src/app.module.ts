import { DynamicModule, Module } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ServeStaticModule } from '@nestjs/serve-static';
import { LoggerModule } from 'nestjs-pino';
import { loggingParams } from './common/logging.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BuiltinSeedModule } from './builtin-seed/builtin-seed.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { OidcModule } from './auth/oidc/oidc.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { CredentialsModule } from './credentials/credentials.module.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { migratedDataSource } from './database/migration-lock.js';
import { SqliteTransactionQueue } from './database/sqlite-transaction-queue.js';
import { HealthController } from './health/health.controller.js';
import { RedisModule } from './redis/redis.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { NodesModule } from './nodes/nodes.module.js';
import { ResourcesModule } from './resources/resources.module.js';
import { DownloadsModule } from './downloads/downloads.module.js';
import { StatsModule } from './stats/stats.module.js';
import { VersionController } from './version/version.controller.js';
import { TrackerModule } from './tracker/tracker.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const portal = existsSync(join(config.portalDir, 'index.html'))
      ? [
          ServeStaticModule.forRoot({
            rootPath: config.portalDir,
            exclude: [
              '/api/{*rest}',
              '/health',
              '/health/{*rest}',
              '/metrics',
              '/.well-known/{*rest}',
              '/downloads/{*rest}',
            ],
          }),
        ]
      : [];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggingParams(config)),
        RedisModule,
        MetricsModule,
        // Migrated before any module can read it, under a lock so instances starting together take turns.
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(config.databaseUrl, config.dataDir),
          dataSourceFactory: (options) => migratedDataSource(options!),
        }),
        CredentialsModule,
        AuthModule,
        OidcModule,
        UsersModule,
        AuditModule,
        TrackerModule,
        NodesModule,
        ResourcesModule,
        StatsModule,
        BuiltinSeedModule,
        DownloadsModule,
        ...portal,
      ],
      controllers: [HealthController, VersionController],
      providers: [SqliteTransactionQueue],
    };
  }
}
