import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

/**
 * The databases every server suite runs against: the embedded SQLite default and the
 * machine's MariaDB (SHOAL_TEST_MYSQL_URL, default the local root account). Set
 * SHOAL_TEST_MYSQL=off to leave MySQL out on a machine without it; CI never does.
 */
const MYSQL_ROOT_URL = process.env.SHOAL_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const DATABASES: ('sqlite' | 'mysql')[] =
  process.env.SHOAL_TEST_MYSQL === 'off' ? ['sqlite'] : ['sqlite', 'mysql'];

/** Creates a fresh schema `shoal_test_<random>` and returns its URL and a drop function. */
export async function createMysqlSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `shoal_test_${randomBytes(6).toString('hex')}`;
  const conn = await mysql.createConnection(MYSQL_ROOT_URL);
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  const url = `${MYSQL_ROOT_URL.replace(/\/+$/, '')}/${name}`;
  return {
    url,
    drop: async () => {
      const c = await mysql.createConnection(MYSQL_ROOT_URL);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}
