import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { queueSqliteTransactions } from './sqlite-transaction-queue.js';

/** Two transactions that overlap in time, each writing a row between two awaits. */
async function overlappingTransactions(ds: DataSource): Promise<PromiseSettledResult<void>[]> {
  const writer = (id: number) =>
    ds.transaction(async (em) => {
      await em.query('INSERT INTO t (id) VALUES (?)', [id]);
      await delay(20);
      await em.query('UPDATE t SET done = 1 WHERE id = ?', [id]);
    });
  return Promise.allSettled([writer(1), writer(2)]);
}

describe('queueSqliteTransactions', () => {
  let dir: string;
  let ds: DataSource;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-txq-'));
    ds = await new DataSource({ type: 'better-sqlite3', database: join(dir, 'db.sqlite') }).initialize();
    await ds.query('CREATE TABLE t (id INTEGER PRIMARY KEY, done INTEGER NOT NULL DEFAULT 0)');
  });

  afterEach(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is needed: without it, the second of two overlapping transactions fails on the shared connection', async () => {
    const results = await overlappingTransactions(ds);
    expect(results.map((r) => r.status)).toContain('rejected');
  });

  it('runs overlapping transactions one after the other, both committed', async () => {
    queueSqliteTransactions(ds);
    const results = await overlappingTransactions(ds);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await ds.query('SELECT id, done FROM t ORDER BY id')).toEqual([
      { id: 1, done: 1 },
      { id: 2, done: 1 },
    ]);
  });

  it('lets the next transaction run after one rolled back, and keeps nested ones as savepoints', async () => {
    queueSqliteTransactions(ds);
    const failing = ds.transaction(async (em) => {
      await em.query('INSERT INTO t (id) VALUES (1)');
      throw new Error('refused');
    });
    const nested = ds.transaction(async (em) => {
      await em.query('INSERT INTO t (id) VALUES (2)');
      await em
        .transaction(async (inner) => {
          await inner.query('INSERT INTO t (id) VALUES (3)');
          throw new Error('inner refused');
        })
        .catch(() => undefined);
    });
    await expect(failing).rejects.toThrow('refused');
    await nested;
    expect(await ds.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 2 }]);
  });
});
