import { Logger } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';

/** Long enough for every migration of a large catalog; an instance that waits longer fails its start loudly. */
const LOCK_WAIT_SECONDS = 600;

/**
 * The data source of the server, initialized and migrated. Every instance runs the
 * pending migrations at start, and several instances may start at once (a rolling
 * upgrade, a fleet of them behind a load balancer): on MySQL/MariaDB they take turns
 * through a named lock (GET_LOCK), so exactly one applies each migration and the others
 * find it done. TypeORM (1.x) takes no lock of its own around migrations on any database.
 * SQLite needs none: its database is one file that one server process owns.
 *
 * The lock is held on a connection of its own and is released with it, so an instance
 * killed mid-migration leaves no lock behind (its half-done migration is another matter:
 * MySQL commits each DDL statement by itself).
 */
export async function migratedDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
  try {
    const applied =
      options.type === 'mysql' || options.type === 'mariadb'
        ? await withNamedLock(dataSource, () => dataSource.runMigrations())
        : await dataSource.runMigrations();
    if (applied.length)
      new Logger('Migrations').log(`applied ${applied.map((m) => m.name).join(', ')} (${applied.length})`);
    return dataSource;
  } catch (err) {
    // Nest retries a failed start with a new data source: this one's connections must not linger.
    await dataSource.destroy().catch(() => undefined);
    throw err;
  }
}

async function withNamedLock<T>(dataSource: DataSource, run: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // GET_LOCK names are server-wide: one per database, so deployments sharing a server do not wait for each other.
    const [{ db }] = (await runner.query('SELECT DATABASE() AS db')) as { db: string | null }[];
    const name = `shoal_migrations:${db ?? ''}`.slice(0, 64);
    const [{ got }] = (await runner.query('SELECT GET_LOCK(?, ?) AS got', [name, LOCK_WAIT_SECONDS])) as {
      got: string | number | null;
    }[];
    if (Number(got) !== 1) {
      throw new Error(
        `could not take the migration lock "${name}" within ${LOCK_WAIT_SECONDS} s: another instance is still migrating this database`,
      );
    }
    try {
      return await run();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [name]);
    }
  } finally {
    await runner.release();
  }
}
