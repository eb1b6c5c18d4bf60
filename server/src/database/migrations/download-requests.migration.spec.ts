import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATION_DATABASES } from '../../../test/support/migration-databases.js';
import { ENTITIES, MIGRATIONS } from '../data-source-options.js';
import { DownloadRequests1764250000000 } from './1764250000000-DownloadRequests.js';

/** DownloadRequests on a database that has everything before it: the table, its indexes, sizes past 2^32, and back. */
const through = MIGRATIONS.slice(0, MIGRATIONS.indexOf(DownloadRequests1764250000000) + 1);

describe.each(MIGRATION_DATABASES)('migration DownloadRequests on %s', (_kind, make) => {
  it('adds the download_requests table with its indexes, and drops it again', async () => {
    const { options, cleanup } = await make();
    const db = new DataSource({ ...options, entities: ENTITIES, migrations: through } as DataSourceOptions);
    await db.initialize();
    try {
      await db.runMigrations();
      const table = async () => {
        const qr = db.createQueryRunner();
        const t = await qr.getTable('download_requests');
        await qr.release();
        return t;
      };
      const created = await table();
      expect(created!.columns.map((c) => c.name).sort()).toEqual([
        'createdAt',
        'doneBytes',
        'error',
        'id',
        'nodeId',
        'requestedBy',
        'resourceId',
        'state',
        'totalBytes',
        'updatedAt',
      ]);
      expect(created!.indices.map((i) => i.name).sort()).toEqual([
        'IDX_download_requests_node_state',
        'IDX_download_requests_user_state',
      ]);
      const big = 5 * 2 ** 40;
      await db.query(
        `INSERT INTO download_requests (id, resourceId, nodeId, requestedBy, state, doneBytes, totalBytes, updatedAt)
         VALUES ('r-1', 'res-1', 'node-1', 'user-1', 'running', ?, ?, '2026-12-01 00:00:00.000')`,
        [big - 1, big],
      );
      const [row] = (await db.query('SELECT doneBytes, totalBytes, createdAt FROM download_requests')) as {
        doneBytes: number | string;
        totalBytes: number | string;
        createdAt: unknown;
      }[];
      expect([Number(row!.doneBytes), Number(row!.totalBytes)]).toEqual([big - 1, big]);
      expect(row!.createdAt).not.toBeNull();

      await db.undoLastMigration();
      expect(await table()).toBeUndefined();
    } finally {
      await db.destroy();
      await cleanup();
    }
  });
});
