import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

type TransactionFn = EntityManager['transaction'];

/**
 * TypeORM's better-sqlite3 driver runs every query of the data source on one connection.
 * Two requests that each open a transaction (two enrollments, a publish and a preheat)
 * then send a second BEGIN on it and SQLite refuses it ("cannot start a transaction
 * within a transaction"): the user gets a 500. SQLite has one writer anyway, so top-level
 * transactions wait their turn here, first come first served. A transaction opened inside
 * a running one goes through the transactional manager, not this one, and stays a
 * savepoint. MySQL hands each transaction its own pooled connection and is left alone.
 */
export function queueSqliteTransactions(dataSource: DataSource): void {
  if (dataSource.options.type !== 'better-sqlite3') return;
  const manager = dataSource.manager;
  const run = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  const queued = (...args: unknown[]): Promise<unknown> => {
    const turn = tail.then(() => run(...args));
    // The next transaction waits for this one to end, whether it committed or rolled back.
    tail = turn.catch(() => undefined);
    return turn;
  };
  manager.transaction = queued as TransactionFn;
}

/** Applies the queue to the app's data source when Nest builds the app, before it serves. */
@Injectable()
export class SqliteTransactionQueue {
  constructor(dataSource: DataSource) {
    queueSqliteTransactions(dataSource);
  }
}
