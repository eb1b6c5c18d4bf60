import type { DynamicModule, Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { loadConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { ENTITIES, MIGRATIONS } from '../../src/database/data-source-options.js';
import { SqliteTransactionQueue } from '../../src/database/sqlite-transaction-queue.js';
import { MetricsModule } from '../../src/metrics/metrics.module.js';
import { RedisModule } from '../../src/redis/redis.module.js';

/**
 * A feature module wired by Nest as the server wires it (its real services, the
 * in-process swarm store, no HTTP), over a migrated SQLite database in memory. `env` is
 * read like the server's environment. Close it with `close()`.
 */
export async function openTestApp(feature: Type | DynamicModule, env: NodeJS.ProcessEnv = {}): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(loadConfig({ SHOAL_BUILTIN_SEED: 'off', ...env })),
      RedisModule,
      MetricsModule,
      TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: ':memory:',
        entities: ENTITIES,
        migrations: MIGRATIONS,
        migrationsRun: true,
      }),
      feature,
    ],
    providers: [SqliteTransactionQueue],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return moduleRef;
}
