import { SQLITE_READ_PRAGMAS, dataSourceOptions } from './data-source-options.js';

describe('dataSourceOptions', () => {
  it('opens the embedded SQLite file in WAL mode, memory-mapped, with a larger page cache', () => {
    const opts = dataSourceOptions(null, '/data') as { database: string; prepareDatabase(db: unknown): void };
    expect(opts.database).toBe('/data/shoal.sqlite');
    const pragmas: string[] = [];
    opts.prepareDatabase({ pragma: (s: string) => pragmas.push(s) });
    expect(pragmas).toEqual(expect.arrayContaining(['journal_mode = WAL', ...SQLITE_READ_PRAGMAS]));
    expect(SQLITE_READ_PRAGMAS).toEqual(['mmap_size = 2147483648', 'cache_size = -65536']);
  });

  it('uses MySQL when DATABASE_URL is set', () => {
    expect(dataSourceOptions('mysql://root@127.0.0.1:3306/shoal', '/data')).toEqual(
      expect.objectContaining({ type: 'mysql', url: 'mysql://root@127.0.0.1:3306/shoal' }),
    );
  });
});
