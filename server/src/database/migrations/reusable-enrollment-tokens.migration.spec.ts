import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATION_DATABASES } from '../../../test/support/migration-databases.js';
import { ENTITIES, MIGRATIONS } from '../data-source-options.js';
import { ReusableEnrollmentTokens1764200000000 } from './1764200000000-ReusableEnrollmentTokens.js';

/**
 * The upgrade path of ReusableEnrollmentTokens: one-time tokens made before it, used and
 * unused, become one-time tokens with the uses they had and an id each (and back with `down`).
 */
const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(ReusableEnrollmentTokens1764200000000));
const through = MIGRATIONS.slice(0, MIGRATIONS.indexOf(ReusableEnrollmentTokens1764200000000) + 1);

describe.each(MIGRATION_DATABASES)('migration ReusableEnrollmentTokens on %s', (_kind, make) => {
  it('keeps the tokens there were, counting the used ones as used up, and downgrades', async () => {
    const { options, cleanup } = await make();
    const open = async (migrations: DataSourceOptions['migrations']) => {
      const db = new DataSource({ ...options, entities: ENTITIES, migrations } as DataSourceOptions);
      await db.initialize();
      return db;
    };
    try {
      let db = await open(before);
      await db.runMigrations();
      const insert = `INSERT INTO enrollment_tokens (tokenHash, role, site, createdBy, expiresAt, usedAt, usedByNode)
                      VALUES (?, 'seed', NULL, 'admin-id', '2030-01-01 00:00:00.000', ?, ?)`;
      await db.query(insert, ['a'.repeat(64), null, null]);
      await db.query(insert, ['b'.repeat(64), '2026-01-01 00:00:00.000', 'node-1']);
      await db.destroy();

      db = await open(through);
      await db.runMigrations();
      const rows = (await db.query(
        'SELECT tokenHash, id, maxUses, uses, revokedAt FROM enrollment_tokens ORDER BY tokenHash',
      )) as { tokenHash: string; id: string; maxUses: number | string; uses: number | string; revokedAt: unknown }[];
      expect(rows.map((r) => [r.tokenHash[0], Number(r.maxUses), Number(r.uses), r.revokedAt])).toEqual([
        ['a', 1, 0, null],
        ['b', 1, 1, null],
      ]);
      expect(rows.every((r) => /^[0-9a-f-]{36}$/.test(r.id))).toBe(true);
      expect(rows[0]!.id).not.toBe(rows[1]!.id);
      // The id is unique: a second row with the same one is refused.
      await expect(
        db.query(
          `INSERT INTO enrollment_tokens (tokenHash, id, role, createdBy, expiresAt) VALUES (?, ?, 'seed', 'x', '2030-01-01 00:00:00.000')`,
          ['c'.repeat(64), rows[0]!.id],
        ),
      ).rejects.toThrow();

      await db.undoLastMigration();
      const columns = async () => {
        const qr = db.createQueryRunner();
        const table = await qr.getTable('enrollment_tokens');
        await qr.release();
        return table!.columns.map((c) => c.name).sort();
      };
      expect(await columns()).toEqual([
        'createdAt',
        'createdBy',
        'expiresAt',
        'role',
        'site',
        'tokenHash',
        'usedAt',
        'usedByNode',
      ]);
      expect(((await db.query('SELECT tokenHash FROM enrollment_tokens')) as unknown[]).length).toBe(2);
      await db.destroy();
    } finally {
      await cleanup();
    }
  });
});
