import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Download requests ("send to my machine"), one row per resource and target node. */
export class DownloadRequests1764250000000 implements MigrationInterface {
  name = 'DownloadRequests1764250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const now = mysql ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";
    const id = (name: string, primary = false) => ({ name, type: 'varchar', length: '36', isPrimary: primary });
    await queryRunner.createTable(
      new Table({
        name: 'download_requests',
        columns: [
          id('id', true),
          id('resourceId'),
          id('nodeId'),
          { ...id('requestedBy'), isNullable: true },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'doneBytes', type: 'bigint', default: 0 },
          { name: 'totalBytes', type: 'bigint', default: 0 },
          { name: 'error', type: 'varchar', length: '500', isNullable: true },
          { name: 'createdAt', type: 'datetime', precision: 3, default: now },
          { name: 'updatedAt', type: 'datetime', precision: 3 },
        ],
        indices: [
          { name: 'IDX_download_requests_node_state', columnNames: ['nodeId', 'state'] },
          { name: 'IDX_download_requests_user_state', columnNames: ['requestedBy', 'state'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('download_requests', true);
  }
}
