import { randomUUID } from 'node:crypto';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATION_DATABASES } from '../../../test/support/migration-databases.js';
import { ENTITIES, MIGRATIONS } from '../data-source-options.js';
import { SearchIndexes1764180000000 } from './1764180000000-SearchIndexes.js';

/**
 * The upgrade path of SearchIndexes: a database made by the earlier migrations, holding a
 * catalog, is migrated; its rows and words stay, the default sort's index becomes the
 * covering one (and back with `down`), on each of MIGRATION_DATABASES.
 */
const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(SearchIndexes1764180000000));
/** Up to and including SearchIndexes, so undoing the last migration undoes it whatever came later. */
const through = MIGRATIONS.slice(0, MIGRATIONS.indexOf(SearchIndexes1764180000000) + 1);
describe.each(MIGRATION_DATABASES)('migration SearchIndexes on %s', (kind, make) => {
  it('upgrades a database holding a catalog, and downgrades it', async () => {
    const { options, cleanup } = await make();
    const open = async (migrations: DataSourceOptions['migrations']) => {
      const db = new DataSource({ ...options, entities: ENTITIES, migrations } as DataSourceOptions);
      await db.initialize();
      return db;
    };
    try {
      let db = await open(before);
      await db.runMigrations();
      const id = randomUUID();
      await db.query(
        `INSERT INTO resources (id, contentId, name, nameLower, description, tags, totalSize, pieceSize, pieceCount, fileCount, files, pieceHashes)
         VALUES (?, ?, 'Vega Server 1', 'vega server 1', '', '[]', 1, 1024, 1, 1, '[]', '')`,
        [id, 'c'.repeat(64)],
      );
      for (const token of ['vega', 'server', '1']) {
        await db.query('INSERT INTO resource_name_tokens (resourceId, token) VALUES (?, ?)', [id, token]);
      }
      await db.destroy();

      db = await open(through);
      await db.runMigrations();
      const indexes = async () => {
        const qr = db.createQueryRunner();
        const table = await qr.getTable('resources');
        await qr.release();
        return table!.indices.map((i) => `${i.name}(${i.columnNames.join(',')})`);
      };
      expect(await indexes()).toContain('IDX_resources_created_walk(createdAt,id,nameLower)');
      expect((await indexes()).some((i) => i.startsWith('IDX_resources_created_at('))).toBe(false);
      const words = (await db.query(
        'SELECT t.token AS token FROM resource_name_tokens t JOIN resources r ON r.id = t.resourceId WHERE t.resourceId = ? ORDER BY t.token',
        [id],
      )) as { token: string }[];
      expect(words.map((w) => w.token)).toEqual(['1', 'server', 'vega']);
      if (kind === 'mysql') {
        const [col] = (await db.query(
          "SELECT COLLATION_NAME AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'resource_name_tokens' AND column_name = 'resourceId'",
        )) as { c: string }[];
        expect(col.c).toBe('ascii_bin');
      }

      await db.undoLastMigration();
      expect(await indexes()).toContain('IDX_resources_created_at(createdAt)');
      expect((await indexes()).some((i) => i.startsWith('IDX_resources_created_walk('))).toBe(false);
      await db.destroy();
    } finally {
      await cleanup();
    }
  });
});
