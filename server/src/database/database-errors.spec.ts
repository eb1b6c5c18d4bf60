import mysql from 'mysql2/promise';
import { QueryFailedError } from 'typeorm';
import { mysqlUrl } from '../../test/support/test-database.js';
import { isDatabaseUnreachable } from './database-errors.js';

// Errors of a real MariaDB session; SHOAL_TEST_MYSQL=off leaves these out with the other MySQL specs.
const withMysql = mysqlUrl ? it : it.skip;
const MYSQL_URL = mysqlUrl ?? '';

describe('isDatabaseUnreachable', () => {
  it('recognises mysql2 failing to connect (nothing listens on port 1), bare or wrapped by TypeORM', async () => {
    const refused = await mysql.createConnection({ host: '127.0.0.1', port: 1, user: 'root' }).then(
      () => new Error('connected'),
      (e: unknown) => e,
    );
    expect(isDatabaseUnreachable(refused)).toBe(true);
    expect(isDatabaseUnreachable(new QueryFailedError('SELECT 1', [], refused as Error))).toBe(true);
  });

  withMysql('recognises a connection the server closed under it', async () => {
    const conn = await mysql.createConnection(MYSQL_URL);
    // The server ends the session, as a restart does to every open connection.
    const [[{ id }]] = (await conn.query('SELECT CONNECTION_ID() AS id')) as unknown as [[{ id: number }]];
    const killer = await mysql.createConnection(MYSQL_URL);
    await killer.query(`KILL ${Number(id)}`);
    await killer.end();
    const lost = await conn.query('SELECT 1').then(
      () => new Error('answered'),
      (e: unknown) => e,
    );
    conn.destroy();
    expect(isDatabaseUnreachable(lost)).toBe(true);
  });

  withMysql('leaves errors the database answered with alone', async () => {
    const conn = await mysql.createConnection(MYSQL_URL);
    const syntax = await conn.query('SELEC 1').then(
      () => new Error('answered'),
      (e: unknown) => e,
    );
    await conn.end();
    expect(isDatabaseUnreachable(syntax)).toBe(false);
    expect(isDatabaseUnreachable(new QueryFailedError('SELEC 1', [], syntax as Error))).toBe(false);
    expect(isDatabaseUnreachable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnreachable({ code: 'ECONNREFUSED' })).toBe(false);
  });
});
