import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Where logins come from (audit_entries.address), and which nodes a user enrolled with
 * their own login (nodes.selfEnrolled: what SHOAL_MAX_NODES_PER_USER counts), with an
 * index to find a user's nodes when they are counted or the user is disabled.
 * Existing nodes enrolled by a user's login are the client nodes no enrollment token
 * was used for.
 */
export class TrustBoundaries1764190000000 implements MigrationInterface {
  name = 'TrustBoundaries1764190000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'audit_entries',
      new TableColumn({ name: 'address', type: 'varchar', length: '64', isNullable: true }),
    );
    await queryRunner.addColumn('nodes', new TableColumn({ name: 'selfEnrolled', type: 'boolean', default: false }));
    await queryRunner.query(
      // Booleans are 0/1 on both databases (TypeORM's boolean is INTEGER on SQLite, TINYINT on MySQL).
      `UPDATE nodes SET selfEnrolled = 1 WHERE role = 'client' AND builtin = 0 AND enrolledBy IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM enrollment_tokens t WHERE t.usedByNode = nodes.id)`,
    );
    await queryRunner.createIndex(
      'nodes',
      new TableIndex({ name: 'IDX_nodes_enrolled_by', columnNames: ['enrolledBy', 'revokedAt'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('nodes', 'IDX_nodes_enrolled_by');
    await queryRunner.dropColumn('nodes', 'selfEnrolled');
    await queryRunner.dropColumn('audit_entries', 'address');
  }
}
