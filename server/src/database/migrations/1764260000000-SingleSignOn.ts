import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Users who sign in through an OpenID Connect provider: the identity they are linked to
 * (issuer + subject, unique; null for local accounts) and their IdP groups as JSON text,
 * rewritten at every sign-in.
 */
export class SingleSignOn1764260000000 implements MigrationInterface {
  name = 'SingleSignOn1764260000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'oidcIssuer', type: 'varchar', length: '255', isNullable: true }),
      new TableColumn({ name: 'oidcSubject', type: 'varchar', length: '255', isNullable: true }),
      new TableColumn({ name: 'idpGroups', type: 'text', isNullable: true }),
    ]);
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: 'IDX_users_oidc_identity', columnNames: ['oidcIssuer', 'oidcSubject'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('users', 'IDX_users_oidc_identity');
    for (const column of ['idpGroups', 'oidcSubject', 'oidcIssuer']) await queryRunner.dropColumn('users', column);
  }
}
