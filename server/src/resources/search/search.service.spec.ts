import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openTestDatabase, TEST_DATABASES, type TestDatabase } from '../../../test/support/test-database.js';
import { nameWords, queryWords, searchTokens } from '../name-tokens.js';
import { ResourceNameToken } from '../resource-name-token.entity.js';
import { Resource } from '../resource.entity.js';
import type { ResourceSort } from './search-request.js';
import { SearchService } from './search.service.js';

/**
 * Search against a brute-force oracle on a small catalog, on SQLite and on MySQL (whose
 * walk probes the word table for the sorts whose index lacks the names), with the limits
 * shrunk so every plan runs (words in names, descriptions and tags, and whole tags): range first, the sort-index walk (and its fallback when
 * matches are sparse), capped totals and the count budget's lower bound.
 */
describe.each(TEST_DATABASES)('SearchService plans on %s', (kind) => {
  let database: TestDatabase;
  let db: DataSource;
  const catalog: { id: string; name: string; description: string; tags: string[]; size: number; created: number }[] =
    [];

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
    database = await openTestDatabase(kind);
    db = database.db;
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 400; i++) {
      // a few names repeat a product ("vega vega12") so one range holds two tokens of a name
      const name = `${pick(products)} ${pick(kinds)} ${pick(channels)}${i % 37 === 0 ? ' vega12' : ''} ${i}${i % 50 === 0 ? '%' : ''}`;
      // a third described (some with punctuation), a quarter tagged
      const description =
        i % 3 === 0
          ? `Built for ${pick(['Quasar', 'pulsar', 'orion'])} clusters${i % 2 === 0 ? ", o'brien ed." : ''}`
          : '';
      const tags = i % 4 === 0 ? [pick(['linux', 'Win-x64', 'qa']), ...(i % 8 === 0 ? ['qa'] : [])] : [];
      catalog.push({
        id: randomUUID(),
        name,
        description,
        tags: [...new Set(tags)],
        size: Math.floor(rnd() * 1000),
        created: t0 + ((i * 7919) % 400) * 1000,
      });
    }
    await db.getRepository(Resource).insert(
      catalog.map((c) => ({
        id: c.id,
        contentId: c.id.replace(/-/g, '').padEnd(64, '0'),
        name: c.name,
        nameLower: c.name.toLowerCase(),
        description: c.description,
        tags: c.tags,
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
      .insert(catalog.flatMap((c) => searchTokens(c).map((token) => ({ resourceId: c.id, token }))));
  });

  afterAll(async () => {
    await database?.close();
  });

  function service(
    walkThreshold: number,
    countCap: number,
    countBudget: number,
    walkBatch = 50,
    sortInMax?: number,
  ): SearchService {
    return new SearchService(db, { walkThreshold, countCap, countBudget, walkBatch, sortInMax });
  }

  /**
   * Every query word starts a word of the name, description or a tag; punctuation must
   * appear literally in the name or description; the tag is one of the tags.
   */
  function oracle(q: string, sort: ResourceSort, tag?: string): string[] {
    const words = queryWords(q);
    const literal = /[^\p{L}\p{N}\s]/u.test(q) ? q.trim().toLowerCase() : null;
    const key = (c: (typeof catalog)[number]) =>
      sort === 'name' ? c.name.toLowerCase() : sort === '-size' ? c.size : c.created;
    const dir = sort.startsWith('-') ? -1 : 1;
    return catalog
      .filter((c) =>
        words.every((w) => nameWords([c.name, c.description, ...c.tags].join(' ')).some((n) => n.startsWith(w))),
      )
      .filter(
        (c) => !literal || c.name.toLowerCase().includes(literal) || c.description.toLowerCase().includes(literal),
      )
      .filter((c) => !tag || c.tags.some((t) => t.toLowerCase() === tag.toLowerCase()))
      .sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : a.id < b.id ? -dir : dir))
      .map((c) => c.id);
  }

  const queries = [
    '',
    '%',
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
    'quasar',
    'pulsar orion',
    'clusters vega',
    "o'brien",
    'linux',
    'win x64 server',
  ];
  /** Query and tag: a tag alone browses it, with words it narrows them. */
  const tagged: [string, string][] = [
    ['', 'qa'],
    ['', 'WIN-X64'],
    ['', 'win'],
    ['server', 'linux'],
    ['quasar nightly', 'qa'],
    ["o'brien", 'linux'],
    ['%', 'qa'],
  ];
  const plans: [string, number, number, number, number, number?][] = [
    ['range first (threshold above every word)', 10_000, 10_000, 10_000, 50],
    ['range first, sorted by the database from subqueries', 10_000, 10_000, 10_000, 50, 3],
    ['walk (threshold 0)', 0, 10_000, 10_000, 50],
    ['walk in small steps, falling back to range first when matches are sparse', 0, 10_000, 10_000, 5],
    ['walk with small cap and count budget', 20, 15, 30, 50],
  ];

  describe.each(plans)('%s', (_, threshold, cap, budget, walkBatch, sortInMax) => {
    it.each([...queries.map((q): [string, string | undefined] => [q, undefined]), ...tagged])(
      'finds the same pages as the oracle for %j (tag %j) on every sort',
      async (q, tag) => {
        const s = service(threshold, cap, budget, walkBatch, sortInMax);
        for (const sort of ['name', '-size', '-created'] as const) {
          const expected = oracle(q, sort, tag);
          for (const page of [1, 2, 5]) {
            const res = await s.search({ q, tag, sort, page, size: 7 });
            expect(res.rows.map((r) => r.id)).toEqual(expected.slice((page - 1) * 7, page * 7));
            if (res.totalCapped) {
              expect(res.total).toBeLessThanOrEqual(Math.min(expected.length, cap));
              expect(res.total).toBeGreaterThanOrEqual(Math.min((page - 1) * 7 + res.rows.length, cap));
            } else {
              expect(res.total).toBe(expected.length);
            }
          }
        }
      },
    );
  });

  it('finds the tagged and described resources it has words for (the oracle is not empty)', () => {
    expect(oracle('quasar', '-created').length).toBeGreaterThan(10);
    expect(oracle('', '-created', 'qa').length).toBeGreaterThan(10);
    expect(oracle("o'brien", '-created', 'linux').length).toBeGreaterThan(0);
    expect(oracle('', '-created', 'win')).toEqual([]);
  });

  it('caps totals at the cap and flags them', async () => {
    const res = await service(20, 15, 1_000).search({ q: 'vega server', sort: '-created', page: 1, size: 25 });
    expect(oracle('vega server', '-created').length).toBeGreaterThan(15);
    expect(res).toEqual(expect.objectContaining({ total: 15, totalCapped: true }));
  });

  it('gives a lower bound, flagged, when counting would pass the budget', async () => {
    // every word broad (threshold 20), only the first 30 names of the rarest word are checked
    const res = await service(20, 1_000, 30).search({ q: 'atlas nightly', sort: '-created', page: 1, size: 25 });
    const exact = oracle('atlas nightly', '-created').length;
    expect(res.totalCapped).toBe(true);
    expect(res.total).toBeLessThan(exact);
    expect(res.total).toBeGreaterThan(0);
  });
});
