import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Users' API tokens (same Table API as the first migration: SQLite and MySQL). */
export class ApiTokens1764220000000 implements MigrationInterface {
  name = 'ApiTokens1764220000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const now = mysql ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";
    await queryRunner.createTable(
      new Table({
        name: 'api_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'userId', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'scopes', type: 'varchar', length: '64' },
          { name: 'secretHash', type: 'varchar', length: '64' },
          { name: 'expiresAt', type: 'datetime', precision: 3 },
          { name: 'lastUsedAt', type: 'datetime', precision: 3, isNullable: true },
          { name: 'createdAt', type: 'datetime', precision: 3, default: now },
        ],
        indices: [{ name: 'IDX_api_tokens_user', columnNames: ['userId'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_tokens', true);
  }
}
