import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATION_DATABASES } from '../../../test/support/migration-databases.js';
import { ENTITIES, MIGRATIONS } from '../data-source-options.js';
import { ApiTokens1764220000000 } from './1764220000000-ApiTokens.js';

/** ApiTokens adds its table on a database that has all the migrations before it, and takes it away again. */
const through = MIGRATIONS.slice(0, MIGRATIONS.indexOf(ApiTokens1764220000000) + 1);

describe.each(MIGRATION_DATABASES)('migration ApiTokens on %s', (_kind, make) => {
  it('creates api_tokens with its user index, fills createdAt itself, and downgrades', async () => {
    const { options, cleanup } = await make();
    const db = new DataSource({ ...options, entities: ENTITIES, migrations: through } as DataSourceOptions);
    await db.initialize();
    try {
      await db.runMigrations();
      await db.query(
        `INSERT INTO api_tokens (id, userId, name, scopes, secretHash, expiresAt)
         VALUES ('t1', 'u1', 'ci', 'publish,catalog:read', ?, '2030-01-01 00:00:00.000')`,
        ['a'.repeat(64)],
      );
      const rows = (await db.query('SELECT scopes, lastUsedAt, createdAt FROM api_tokens')) as {
        scopes: string;
        lastUsedAt: unknown;
        createdAt: unknown;
      }[];
      expect(rows).toHaveLength(1);
      expect([rows[0]!.scopes, rows[0]!.lastUsedAt]).toEqual(['publish,catalog:read', null]);
      expect(rows[0]!.createdAt).not.toBeNull();
      const qr = db.createQueryRunner();
      const table = await qr.getTable('api_tokens');
      await qr.release();
      expect(table!.indices.map((i) => [i.name, i.columnNames])).toEqual([['IDX_api_tokens_user', ['userId']]]);

      await db.undoLastMigration();
      const after = db.createQueryRunner();
      expect(await after.hasTable('api_tokens')).toBe(false);
      await after.release();
    } finally {
      await db.destroy();
      await cleanup();
    }
  });
});
