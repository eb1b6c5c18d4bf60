import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATION_DATABASES } from '../../../test/support/migration-databases.js';
import { ENTITIES, MIGRATIONS } from '../data-source-options.js';
import { SessionGeneration1764230000000 } from './1764230000000-SessionGeneration.js';

/** Users made before SessionGeneration start at generation 0 (what tokens without `gen` carry), and back with `down`. */
const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(SessionGeneration1764230000000));
const through = MIGRATIONS.slice(0, MIGRATIONS.indexOf(SessionGeneration1764230000000) + 1);

describe.each(MIGRATION_DATABASES)('migration SessionGeneration on %s', (_kind, make) => {
  it('gives every existing user generation 0, and downgrades', async () => {
    const { options, cleanup } = await make();
    const open = async (migrations: DataSourceOptions['migrations']) => {
      const db = new DataSource({ ...options, entities: ENTITIES, migrations } as DataSourceOptions);
      await db.initialize();
      return db;
    };
    let db = await open(before);
    try {
      await db.runMigrations();
      await db.query(
        `INSERT INTO users (id, username, passwordHash, role, disabled) VALUES ('u1', 'old', 'x', 'member', 0)`,
      );
      await db.destroy();
      db = await open(through);
      await db.runMigrations();
      const rows = (await db.query('SELECT sessionGeneration FROM users')) as { sessionGeneration: number | string }[];
      expect(rows.map((r) => Number(r.sessionGeneration))).toEqual([0]);
      await db.undoLastMigration();
      const qr = db.createQueryRunner();
      expect((await qr.getTable('users'))!.columns.map((c) => c.name)).not.toContain('sessionGeneration');
      await qr.release();
      expect(((await db.query('SELECT id FROM users')) as unknown[]).length).toBe(1);
    } finally {
      if (db.isInitialized) await db.destroy();
      await cleanup();
    }
  });
});
