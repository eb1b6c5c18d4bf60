import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Nodes say goodbye: `leftAt` is when an agent said it stopped (offline at once rather
 * than a missed heartbeat later; cleared by its next heartbeat), and `agentVersion` the
 * version its last heartbeat came from, for the node's page.
 */
export class NodePresence1764240000000 implements MigrationInterface {
  name = 'NodePresence1764240000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('nodes', [
      new TableColumn({ name: 'leftAt', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'agentVersion', type: 'varchar', length: '32', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('nodes', 'agentVersion');
    await queryRunner.dropColumn('nodes', 'leftAt');
  }
}
