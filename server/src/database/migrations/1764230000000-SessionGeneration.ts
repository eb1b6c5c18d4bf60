import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** users.sessionGeneration: every existing user starts at 0, which tokens without a `gen` claim carry. */
export class SessionGeneration1764230000000 implements MigrationInterface {
  name = 'SessionGeneration1764230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('users', new TableColumn({ name: 'sessionGeneration', type: 'int', default: 0 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'sessionGeneration');
  }
}
