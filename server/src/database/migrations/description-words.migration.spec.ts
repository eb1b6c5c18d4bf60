import { randomUUID } from 'node:crypto';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATION_DATABASES } from '../../../test/support/migration-databases.js';
import { ENTITIES, MIGRATIONS } from '../data-source-options.js';
import { DescriptionWords1764210000000 } from './1764210000000-DescriptionWords.js';

/**
 * The upgrade path of DescriptionWords: a catalog published before it (name words only)
 * gains its descriptions' and tags' words and whole tags, and `down` takes them away
 * again, leaving name words. On each of MIGRATION_DATABASES.
 */
const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(DescriptionWords1764210000000));
const through = MIGRATIONS.slice(0, MIGRATIONS.indexOf(DescriptionWords1764210000000) + 1);

describe.each(MIGRATION_DATABASES)('migration DescriptionWords on %s', (_kind, make) => {
  it('adds the words of descriptions and tags, and takes them away again', async () => {
    const { options, cleanup } = await make();
    const open = async (migrations: DataSourceOptions['migrations']) => {
      const db = new DataSource({ ...options, entities: ENTITIES, migrations } as DataSourceOptions);
      await db.initialize();
      return db;
    };
    try {
      let db = await open(before);
      await db.runMigrations();
      const described = randomUUID();
      const plain = randomUUID();
      const insert = (id: string, name: string, description: string, tags: string[]) =>
        db.query(
          `INSERT INTO resources (id, contentId, name, nameLower, description, tags, totalSize, pieceSize, pieceCount, fileCount, files, pieceHashes)
           VALUES (?, ?, ?, ?, ?, ?, 1, 1024, 1, 1, '[]', '')`,
          [id, id.replace(/-/g, '').padEnd(64, '0'), name, name.toLowerCase(), description, JSON.stringify(tags)],
        );
      await insert(described, 'Vega Server', 'Größe server image, nightly', ['Linux-x64', 'qa']);
      await insert(plain, 'Orion', '', []);
      for (const [id, token] of [
        [described, 'vega'],
        [described, 'server'],
        [plain, 'orion'],
      ])
        await db.query('INSERT INTO resource_name_tokens (resourceId, token) VALUES (?, ?)', [id, token]);
      await db.destroy();

      const tokensOf = async (id: string) =>
        ((await db.query('SELECT token FROM resource_name_tokens WHERE resourceId = ?', [id])) as { token: string }[])
          .map((r) => r.token)
          .sort();
      db = await open(through);
      await db.runMigrations();
      expect(await tokensOf(described)).toEqual(
        [
          '\u0001linux-x64\u0001',
          '\u0001qa\u0001',
          ...['größe', 'image', 'nightly', 'linux', 'x64', 'qa'].map((w) => `\u0002${w}`),
          'server',
          'vega',
        ].sort(),
      );
      expect(await tokensOf(plain)).toEqual(['orion']);

      await db.undoLastMigration();
      expect(await tokensOf(described)).toEqual(['server', 'vega']);
      expect(await tokensOf(plain)).toEqual(['orion']);
      await db.destroy();
    } finally {
      await cleanup();
    }
  });
});
