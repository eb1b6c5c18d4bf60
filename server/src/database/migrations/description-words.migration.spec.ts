import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES, MIGRATIONS } from '../data-source-options.js';
import { DescriptionWords1764210000000 } from './1764210000000-DescriptionWords.js';

/**
 * The upgrade path of DescriptionWords: a catalog published before it (name words only)
 * gains its descriptions' and tags' words and whole tags, and `down` takes them away
 * again, leaving name words. On SQLite and on MySQL/MariaDB (SHOAL_TEST_MYSQL_URL, default
 * the local root account; SHOAL_TEST_MYSQL=off leaves it out) in a throwaway schema.
 */
const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(DescriptionWords1764210000000));
const through = MIGRATIONS.slice(0, MIGRATIONS.indexOf(DescriptionWords1764210000000) + 1);
const mysqlUrl =
  process.env.SHOAL_TEST_MYSQL === 'off' ? null : (process.env.SHOAL_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');

const variants: [string, () => Promise<{ options: DataSourceOptions; cleanup(): Promise<void> }>][] = [
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
  variants.push([
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

describe.each(variants)('migration DescriptionWords on %s', (_kind, make) => {
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
