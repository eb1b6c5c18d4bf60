import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Two changes for searches whose every word is broad (see docs/benchmarks.md, search).
 *
 * 1. The default sort's index `(createdAt)` becomes `(createdAt, id, nameLower)`: a walk of
 *    the catalog in that order then reads ids and lower-cased names from the index alone
 *    and checks the words in the server, instead of probing the word table once per
 *    position (MySQL) or reading each row (SQLite). The ORDER BY `createdAt, id` it serves
 *    is unchanged. The name sort's index `(nameLower)` already covers the same on MySQL (its
 *    entries end in the primary key).
 * 2. MySQL/MariaDB: the word table's `resourceId` is compared byte-wise (`ascii_bin`) instead
 *    of in the database's Unicode collation: each probe of its primary key
 *    `(resourceId, token)` compared 36-character UUIDs with `utf8mb4_unicode_ci`, a
 *    measurable share of every probe. Resource ids are UUIDs (ASCII); `token` is `utf8mb4_bin` since the first
 *    migration. Comparisons with `resources.id` stay legal: ASCII converts to utf8mb4.
 *    SQLite compares bytes (BINARY) already.
 *
 * On an existing catalog both rebuild (the word table) or build (the index) on disk; see
 * docs/operations.md, "Database sizing", for the time at 1,000,000 resources.
 */
export class SearchIndexes1764180000000 implements MigrationInterface {
  name = 'SearchIndexes1764180000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'resources',
      new TableIndex({ name: 'IDX_resources_created_walk', columnNames: ['createdAt', 'id', 'nameLower'] }),
    );
    await queryRunner.dropIndex('resources', 'IDX_resources_created_at');
    if (queryRunner.connection.options.type === 'mysql') {
      await queryRunner.query(
        'ALTER TABLE `resource_name_tokens` MODIFY `resourceId` varchar(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL',
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql') {
      // back to the table's default character set and collation, as the first migration made it
      await queryRunner.query('ALTER TABLE `resource_name_tokens` MODIFY `resourceId` varchar(36) NOT NULL');
    }
    await queryRunner.createIndex(
      'resources',
      new TableIndex({ name: 'IDX_resources_created_at', columnNames: ['createdAt'] }),
    );
    await queryRunner.dropIndex('resources', 'IDX_resources_created_walk');
  }
}
