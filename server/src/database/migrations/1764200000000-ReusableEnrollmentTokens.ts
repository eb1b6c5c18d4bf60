import { randomUUID } from 'node:crypto';
import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Enrollment tokens that enroll up to `maxUses` machines (1, a one-time token, stays the
 * default), counted in `uses`, revocable (`revokedAt`), and named by an `id` the admin pages
 * and the audit log can show (the token itself is never stored). Existing tokens become
 * one-time tokens, used once if they were.
 */
export class ReusableEnrollmentTokens1764200000000 implements MigrationInterface {
  name = 'ReusableEnrollmentTokens1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('enrollment_tokens', [
      new TableColumn({ name: 'id', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'maxUses', type: 'int', default: 1 }),
      new TableColumn({ name: 'uses', type: 'int', default: 0 }),
      new TableColumn({ name: 'revokedAt', type: 'datetime', precision: 3, isNullable: true }),
    ]);
    await queryRunner.query('UPDATE enrollment_tokens SET uses = 1 WHERE usedAt IS NOT NULL');
    // A UUID per row, made here: SQLite has no UUID() of its own.
    const rows = (await queryRunner.query('SELECT tokenHash FROM enrollment_tokens')) as { tokenHash: string }[];
    for (const { tokenHash } of rows) {
      await queryRunner.query('UPDATE enrollment_tokens SET id = ? WHERE tokenHash = ?', [randomUUID(), tokenHash]);
    }
    await queryRunner.changeColumn(
      'enrollment_tokens',
      'id',
      new TableColumn({ name: 'id', type: 'varchar', length: '36', isNullable: false }),
    );
    await queryRunner.createIndex(
      'enrollment_tokens',
      new TableIndex({ name: 'IDX_enrollment_tokens_id', columnNames: ['id'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('enrollment_tokens', 'IDX_enrollment_tokens_id');
    for (const column of ['revokedAt', 'uses', 'maxUses', 'id'])
      await queryRunner.dropColumn('enrollment_tokens', column);
  }
}
