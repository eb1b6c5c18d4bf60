import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/**
 * The first schema, written with TypeORM's driver-neutral Table API so the same
 * migration runs on SQLite (embedded default) and MySQL/MariaDB (production).
 */
export class InitialSchema1764150000000 implements MigrationInterface {
  name = 'InitialSchema1764150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const now = mysql ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";
    const id = (name = 'id'): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: true });
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    });
    const text = (name: string): TableColumnOptions => ({ name, type: 'text' });
    const int = (name: string, defaultValue?: number): TableColumnOptions => ({
      name,
      type: 'int',
      default: defaultValue,
    });
    const bigint = (name: string): TableColumnOptions => ({ name, type: 'bigint', default: 0 });
    const bool = (name: string, defaultValue = false): TableColumnOptions => ({
      name,
      type: 'boolean',
      default: defaultValue,
    });
    const time = (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'datetime',
      precision: 3,
      isNullable: nullable,
    });
    const createdAt = (name = 'createdAt'): TableColumnOptions => ({ ...time(name), default: now });

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          id(),
          str('username', 64),
          str('passwordHash', 255),
          str('role', 16),
          bool('disabled'),
          createdAt(),
          createdAt('updatedAt'),
        ],
        indices: [{ name: 'IDX_users_username', columnNames: ['username'], isUnique: true }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { ...str('kid', 64), isPrimary: true },
          text('publicJwk'),
          text('privateJwk'),
          bool('active'),
          createdAt(),
          time('retiredAt', true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({ name: 'server_secrets', columns: [{ ...str('name', 64), isPrimary: true }, text('value')] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'resources',
        columns: [
          id(),
          str('contentId', 64),
          str('name', 200),
          str('nameLower', 200),
          text('description'),
          text('tags'),
          bigint('totalSize'),
          int('pieceSize'),
          int('pieceCount'),
          int('fileCount'),
          { ...text('files'), type: mysql ? 'longtext' : 'text' },
          { ...text('pieceHashes'), type: mysql ? 'longtext' : 'text' },
          str('publishedBy', 36, true),
          int('seedCount', 0),
          int('downloaderCount', 0),
          createdAt(),
          createdAt('updatedAt'),
        ],
        indices: [
          { name: 'IDX_resources_content_id', columnNames: ['contentId'], isUnique: true },
          { name: 'IDX_resources_name_lower', columnNames: ['nameLower'] },
          { name: 'IDX_resources_total_size', columnNames: ['totalSize'] },
          { name: 'IDX_resources_seed_count', columnNames: ['seedCount'] },
          { name: 'IDX_resources_downloader_count', columnNames: ['downloaderCount'] },
          { name: 'IDX_resources_created_at', columnNames: ['createdAt'] },
          { name: 'IDX_resources_updated_at', columnNames: ['updatedAt'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'resource_name_tokens',
        columns: [id('resourceId'), { ...str('token', 200), isPrimary: true }],
        indices: [{ name: 'IDX_name_tokens_token', columnNames: ['token', 'resourceId'] }],
      }),
    );
    if (mysql) {
      // Byte-wise comparison, so the range scan token >= q AND token < q + U+10FFFF means
      // "starts with q" exactly as it does on SQLite's BINARY collation.
      await queryRunner.query(
        'ALTER TABLE `resource_name_tokens` MODIFY `token` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
      );
    }
    await queryRunner.createTable(
      new Table({
        name: 'nodes',
        columns: [
          id(),
          str('name', 100),
          str('role', 16),
          str('site', 64, true),
          text('addresses'),
          str('publicKeyX', 64),
          str('enrolledBy', 36, true),
          time('lastHeartbeatAt', true),
          time('revokedAt', true),
          bigint('uploadedBytes'),
          bigint('downloadedBytes'),
          bigint('lastReportedUploaded'),
          bigint('lastReportedDownloaded'),
          int('resourcesHeld', 0),
          createdAt(),
        ],
        indices: [{ name: 'IDX_nodes_last_heartbeat', columnNames: ['lastHeartbeatAt'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'node_holdings',
        columns: [id('nodeId'), id('resourceId'), bool('complete'), int('piecesHeld')],
        indices: [{ name: 'IDX_node_holdings_resource', columnNames: ['resourceId', 'complete'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'enrollment_tokens',
        columns: [
          { ...str('tokenHash', 64), isPrimary: true },
          str('role', 16),
          str('site', 64, true),
          str('createdBy', 36),
          time('expiresAt'),
          time('usedAt', true),
          str('usedByNode', 36, true),
          createdAt(),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_entries',
        columns: [
          id(),
          str('action', 64),
          str('userId', 36, true),
          str('username', 64, true),
          str('resourceId', 36, true),
          str('nodeId', 36, true),
          str('detail', 255, true),
          createdAt('at'),
        ],
        indices: [{ name: 'IDX_audit_at', columnNames: ['at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'traffic_buckets',
        columns: [{ ...time('bucketStart'), isPrimary: true }, bigint('seedBytes'), bigint('peerBytes')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'traffic_buckets',
      'audit_entries',
      'enrollment_tokens',
      'node_holdings',
      'nodes',
      'resource_name_tokens',
      'resources',
      'server_secrets',
      'signing_keys',
      'users',
    ]) {
      await queryRunner.dropTable(table, true);
    }
  }
}
