import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Preheat jobs and their per-node tasks (same Table API as the first migration: SQLite and MySQL). */
export class Preheat1764160000000 implements MigrationInterface {
  name = 'Preheat1764160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const now = mysql ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";
    const id = (name: string, primary = false) => ({ name, type: 'varchar', length: '36', isPrimary: primary });
    await queryRunner.createTable(
      new Table({
        name: 'preheat_jobs',
        columns: [
          id('id', true),
          id('resourceId'),
          { name: 'site', type: 'varchar', length: '64', isNullable: true },
          { ...id('createdBy'), isNullable: true },
          { name: 'createdAt', type: 'datetime', precision: 3, default: now },
          { name: 'cancelledAt', type: 'datetime', precision: 3, isNullable: true },
        ],
        indices: [{ name: 'IDX_preheat_jobs_resource', columnNames: ['resourceId'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'preheat_tasks',
        columns: [
          id('jobId', true),
          id('nodeId', true),
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'percent', type: 'int', default: 0 },
          { name: 'error', type: 'varchar', length: '500', isNullable: true },
          { name: 'updatedAt', type: 'datetime', precision: 3 },
        ],
        indices: [{ name: 'IDX_preheat_tasks_node_state', columnNames: ['nodeId', 'state'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('preheat_tasks', true);
    await queryRunner.dropTable('preheat_jobs', true);
  }
}
