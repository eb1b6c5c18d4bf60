import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';

/**
 * Empty databases for migration specs, which run migrations themselves: a SQLite file, and
 * on MySQL/MariaDB as the e2e suites reach it (SHOAL_TEST_MYSQL_URL, default the local root
 * account; SHOAL_TEST_MYSQL=off leaves it out) a throwaway schema. Each entry is
 * `[kind, make]`; `cleanup()` removes what `make()` made.
 */
const mysqlUrl =
  process.env.SHOAL_TEST_MYSQL === 'off' ? null : (process.env.SHOAL_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');

export const MIGRATION_DATABASES: [string, () => Promise<{ options: DataSourceOptions; cleanup(): Promise<void> }>][] =
  [
    [
      'sqlite',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'shoal-migration-'));
        return {
          options: { type: 'better-sqlite3', database: join(dir, 'shoal.sqlite') },
          cleanup: async () => rmSync(dir, { recursive: true, force: true }),
        };
      },
    ],
  ];
if (mysqlUrl) {
  MIGRATION_DATABASES.push([
    'mysql',
    async () => {
      const schema = `shoal_test_mig_${randomUUID().slice(0, 8)}`;
      const admin = new DataSource({ type: 'mysql', url: mysqlUrl });
      await admin.initialize();
      await admin.query(`CREATE DATABASE \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      return {
        options: { type: 'mysql', url: `${mysqlUrl.replace(/\/+$/, '')}/${schema}`, charset: 'utf8mb4_unicode_ci' },
        cleanup: async () => {
          await admin.query(`DROP DATABASE \`${schema}\``);
          await admin.destroy();
        },
      };
    },
  ]);
}
