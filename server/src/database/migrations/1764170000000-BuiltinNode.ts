import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Marks the server's built-in seed among the nodes (it is switched off by configuration, not revoked). */
export class BuiltinNode1764170000000 implements MigrationInterface {
  name = 'BuiltinNode1764170000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('nodes', new TableColumn({ name: 'builtin', type: 'boolean', default: false }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('nodes', 'builtin');
  }
}
