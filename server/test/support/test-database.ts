import { randomUUID } from 'node:crypto';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions, ENTITIES, MIGRATIONS } from '../../src/database/data-source-options.js';

/**
 * The databases specs run against: SQLite in memory, and the machine's MySQL/MariaDB as
 * the e2e suites reach it (SHOAL_TEST_MYSQL_URL, default the local root account;
 * SHOAL_TEST_MYSQL=off leaves it out).
 */
export const mysqlUrl =
  process.env.SHOAL_TEST_MYSQL === 'off' ? null : (process.env.SHOAL_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');

export type TestDatabaseKind = 'sqlite' | 'mysql';

export const TEST_DATABASES: TestDatabaseKind[] = mysqlUrl ? ['sqlite', 'mysql'] : ['sqlite'];

export interface TestDatabase {
  db: DataSource;
  /** Closes the connection; on MySQL also drops the schema. */
  close(): Promise<void>;
}

/**
 * A migrated, empty database with the production options: SQLite in memory, or on MySQL
 * a throwaway schema `shoal_test_<random>`, so parallel runs never meet.
 */
export async function openTestDatabase(kind: TestDatabaseKind = 'sqlite'): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const db = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: ENTITIES,
      migrations: MIGRATIONS,
    });
    await db.initialize();
    await db.runMigrations();
    return { db, close: () => db.destroy() };
  }
  if (!mysqlUrl) throw new Error('MySQL is switched off for tests (SHOAL_TEST_MYSQL=off)');
  const schema = `shoal_test_${randomUUID().slice(0, 8)}`;
  const admin = new DataSource({ type: 'mysql', url: mysqlUrl });
  await admin.initialize();
  await admin.query(`CREATE DATABASE \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const drop = async () => {
    await admin.query(`DROP DATABASE IF EXISTS \`${schema}\``);
    await admin.destroy();
  };
  try {
    const options = dataSourceOptions(`${mysqlUrl.replace(/\/+$/, '')}/${schema}`, '') as DataSourceOptions;
    const db = new DataSource({ ...options, extra: { connectionLimit: 4 } } as DataSourceOptions);
    await db.initialize();
    await db.runMigrations();
    return {
      db,
      close: async () => {
        await db.destroy();
        await drop();
      },
    };
  } catch (err) {
    await drop();
    throw err;
  }
}
