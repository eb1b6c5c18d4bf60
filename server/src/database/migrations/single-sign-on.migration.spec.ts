import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATION_DATABASES } from '../../../test/support/migration-databases.js';
import { ENTITIES, MIGRATIONS } from '../data-source-options.js';
import { SingleSignOn1764260000000 } from './1764260000000-SingleSignOn.js';

/** SingleSignOn on both databases: existing users stay local accounts; one IdP identity links one user. */
const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(SingleSignOn1764260000000));

describe.each(MIGRATION_DATABASES)('migration SingleSignOn on %s', (_kind, make) => {
  it('keeps local users, makes (issuer, subject) unique, and downgrades', async () => {
    const { options, cleanup } = await make();
    const open = async (migrations: DataSourceOptions['migrations']) => {
      const db = new DataSource({ ...options, entities: ENTITIES, migrations } as DataSourceOptions);
      await db.initialize();
      return db;
    };
    const insert = `INSERT INTO users (id, username, passwordHash, role, disabled, createdAt, updatedAt)
                    VALUES (?, ?, 'hash', 'admin', 0, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')`;
    try {
      let db = await open(before);
      await db.runMigrations();
      await db.query(insert, ['11111111-1111-1111-1111-111111111111', 'admin']);
      await db.destroy();

      db = await open(MIGRATIONS);
      await db.runMigrations();
      const rows = (await db.query('SELECT username, oidcIssuer, oidcSubject, idpGroups FROM users')) as unknown[];
      expect(rows).toEqual([{ username: 'admin', oidcIssuer: null, oidcSubject: null, idpGroups: null }]);
      const link = `UPDATE users SET oidcIssuer = 'https://idp', oidcSubject = 's-1' WHERE username = ?`;
      await db.query(insert, ['22222222-2222-2222-2222-222222222222', 'alice']);
      await db.query(insert, ['33333333-3333-3333-3333-333333333333', 'alice2']);
      await db.query(link, ['alice']);
      await expect(db.query(link, ['alice2'])).rejects.toThrow();

      await db.undoLastMigration();
      const qr = db.createQueryRunner();
      const table = await qr.getTable('users');
      await qr.release();
      expect(table!.columns.map((c) => c.name)).not.toContain('oidcSubject');
      expect(((await db.query('SELECT id FROM users')) as unknown[]).length).toBe(3);
      await db.destroy();
    } finally {
      await cleanup();
    }
  });
});
