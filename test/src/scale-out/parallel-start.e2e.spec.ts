/**
 * Three instances started at the same moment on one empty MariaDB database: each runs
 * the migrations at start, and they take turns through the migration lock, so all three
 * come up, every migration is applied exactly once, the schema is whole, and none of
 * them logs an error (no "table already exists", no retried start).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Api } from '../harness/api-client.js';
import { createMysqlSchema } from '../harness/databases.js';
import { ADMIN_PASSWORD, REPO_ROOT, startServer, type RunningServer } from '../harness/server.js';

/** The migrations the server ships, by class name (`<timestamp>-Name.ts` holds `Name<timestamp>`). */
const MIGRATIONS = readdirSync(join(REPO_ROOT, 'server/src/database/migrations'))
  .filter((f) => /^\d+-\w+\.ts$/.test(f))
  .map((f) => {
    const [, timestamp, name] = /^(\d+)-(\w+)\.ts$/.exec(f)!;
    return `${name}${timestamp}`;
  })
  .sort();

describe('three instances starting together on an empty MariaDB database', () => {
  let schema: { url: string; drop: () => Promise<void> };
  let servers: RunningServer[] = [];

  beforeAll(async () => {
    schema = await createMysqlSchema();
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.destroy()));
    await schema?.drop();
  });

  it('all come up, migrate the database once, and log no error', async () => {
    const started = await Promise.allSettled([1, 2, 3].map(() => startServer({ databaseUrl: schema.url })));
    servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
    expect(failed).toEqual([]);
    expect(servers).toHaveLength(3);

    const db = await mysql.createConnection(schema.url);
    try {
      const [rows] = await db.query('SELECT name FROM migrations ORDER BY name');
      expect((rows as { name: string }[]).map((r) => r.name)).toEqual(MIGRATIONS);
    } finally {
      await db.end();
    }

    // The schema is whole: each instance logs the admin in and lists what every table behind the API holds.
    for (const s of servers) {
      const admin = await new Api(s.url).login('admin', ADMIN_PASSWORD);
      for (const path of [
        '/api/admin/nodes',
        '/api/admin/enrollment-tokens',
        '/api/resources',
        '/api/admin/users',
        '/api/admin/preheat',
        '/api/admin/audit',
      ]) {
        expect({ path, status: (await admin.get(path)).status }).toEqual({ path, status: 200 });
      }
    }

    for (const s of servers) {
      expect(s.output()).not.toMatch(/"level":(50|60)|\bERROR\b|Unable to connect to the database|QueryFailedError/);
    }
  });
});
