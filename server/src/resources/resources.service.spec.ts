import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { ENTITIES, MIGRATIONS } from '../database/data-source-options.js';
import { ResourceListQueryDto } from './dto/resource.dto.js';
import { nameWords, queryWords } from './name-tokens.js';
import { ResourceNameToken } from './resource-name-token.entity.js';
import { Resource } from './resource.entity.js';
import { ResourcesService } from './resources.service.js';

/**
 * Search against a brute-force oracle on a small catalog in SQLite, with the thresholds
 * shrunk so every plan runs: range first, the sort-index walk (and its fallback when
 * matches are sparse), capped totals and the count budget's lower bound.
 */
describe('ResourcesService search plans', () => {
  let db: DataSource;
  const catalog: { id: string; name: string; size: number; created: number }[] = [];

  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const products = ['orion', 'orion7', 'vega', 'vega12', 'lyra', 'atlas', 'atlas3'];
  const kinds = ['server', 'desktop', 'dataset', 'serverless'];
  const channels = ['nightly', 'stable', 'beta', 'rc'];

  beforeAll(async () => {
    db = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: ENTITIES, migrations: MIGRATIONS });
    await db.initialize();
    await db.runMigrations();
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 400; i++) {
      // a few names repeat a product ("vega vega12") so one range holds two tokens of a name
      const name = `${pick(products)} ${pick(kinds)} ${pick(channels)}${i % 37 === 0 ? ' vega12' : ''} ${i}${i % 50 === 0 ? '%' : ''}`;
      catalog.push({ id: randomUUID(), name, size: Math.floor(rnd() * 1000), created: t0 + ((i * 7919) % 400) * 1000 });
    }
    await db.getRepository(Resource).insert(
      catalog.map((c) => ({
        id: c.id,
        contentId: c.id.replace(/-/g, '').padEnd(64, '0'),
        name: c.name,
        nameLower: c.name.toLowerCase(),
        description: '',
        tags: [],
        totalSize: c.size,
        pieceSize: 1024,
        pieceCount: 1,
        fileCount: 1,
        files: [],
        pieceHashes: '',
        publishedBy: null,
        seedCount: 0,
        downloaderCount: 0,
        createdAt: new Date(c.created),
        updatedAt: new Date(c.created),
      })),
    );
    await db
      .getRepository(ResourceNameToken)
      .insert(catalog.flatMap((c) => nameWords(c.name).map((token) => ({ resourceId: c.id, token }))));
  });

  afterAll(async () => {
    await db?.destroy();
  });

  function service(walkThreshold: number, countCap: number, countBudget: number, walkBatch = 50): ResourcesService {
    const s = new ResourcesService(
      db.getRepository(Resource),
      db,
      {} as never,
      {} as never,
      {} as never,
      { searchWalkThreshold: walkThreshold } as AppConfig,
    );
    s.limits = { countCap, countBudget, walkBatch };
    return s;
  }

  /** Every query word starts a word of the name; punctuation must appear literally. */
  function oracle(q: string, sort: 'name' | '-size' | '-created'): string[] {
    const words = queryWords(q);
    const literal = /[^\p{L}\p{N}\s]/u.test(q) ? q.trim().toLowerCase() : null;
    const key = (c: (typeof catalog)[number]) =>
      sort === 'name' ? c.name.toLowerCase() : sort === '-size' ? c.size : c.created;
    const dir = sort.startsWith('-') ? -1 : 1;
    return catalog
      .filter((c) => words.every((w) => nameWords(c.name).some((n) => n.startsWith(w))))
      .filter((c) => !literal || c.name.toLowerCase().includes(literal))
      .sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : a.id < b.id ? -dir : dir))
      .map((c) => c.id);
  }

  const queries = [
    'orion',
    'ORI',
    'vega server',
    'server vega',
    'vega12',
    'vega vega12',
    'atlas serverless nightly',
    'orion7 desktop rc',
    'lyra stable 1',
    '12',
    'nothing',
    'orion nothing',
    '0%',
    'vega 50%',
  ];
  const plans: [string, number, number, number, number][] = [
    ['range first (threshold above every word)', 10_000, 10_000, 10_000, 50],
    ['walk (threshold 0)', 0, 10_000, 10_000, 50],
    ['walk in small steps, falling back to range first when matches are sparse', 0, 10_000, 10_000, 5],
    ['walk with small cap and count budget', 20, 15, 30, 50],
  ];

  describe.each(plans)('%s', (_, threshold, cap, budget, walkBatch) => {
    it.each(queries)('finds the same pages as the oracle for %j on every sort', async (q) => {
      const s = service(threshold, cap, budget, walkBatch);
      for (const sort of ['name', '-size', '-created'] as const) {
        const expected = oracle(q, sort);
        for (const page of [1, 2, 5]) {
          const dto = Object.assign(new ResourceListQueryDto(), { q, sort, page, size: 7 });
          const res = await s.list(dto);
          expect(res.items.map((i) => i.id)).toEqual(expected.slice((page - 1) * 7, page * 7));
          if (res.totalCapped) {
            expect(res.total).toBeLessThanOrEqual(Math.min(expected.length, cap));
            expect(res.total).toBeGreaterThanOrEqual(Math.min((page - 1) * 7 + res.items.length, cap));
          } else {
            expect(res.total).toBe(expected.length);
          }
        }
      }
    });
  });

  it('caps totals at the cap and flags them', async () => {
    const res = await service(20, 15, 1_000).list(Object.assign(new ResourceListQueryDto(), { q: 'vega server' }));
    expect(oracle('vega server', '-created').length).toBeGreaterThan(15);
    expect(res).toEqual(expect.objectContaining({ total: 15, totalCapped: true }));
  });

  it('gives a lower bound, flagged, when counting would pass the budget', async () => {
    // every word broad (threshold 20), only the first 30 names of the rarest word are checked
    const res = await service(20, 1_000, 30).list(Object.assign(new ResourceListQueryDto(), { q: 'atlas nightly' }));
    const exact = oracle('atlas nightly', '-created').length;
    expect(res.totalCapped).toBe(true);
    expect(res.total).toBeLessThan(exact);
    expect(res.total).toBeGreaterThan(0);
  });
});
