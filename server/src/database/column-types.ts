import type { ColumnOptions, ValueTransformer } from 'typeorm';

/**
 * Column types that mean the same on SQLite and MySQL, so one set of entities and
 * migrations serves both drivers.
 */

/** mysql2 returns BIGINT as a string; sizes and counters stay below 2^53, so a number is exact. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

export const sizeColumn: ColumnOptions = { type: 'bigint', transformer: bigintAsNumber, default: 0 };

/** Millisecond precision, stored in UTC. */
export const timestampColumn: ColumnOptions = { type: 'datetime', precision: 3 };

/** JSON kept as text: MySQL's JSON type and SQLite's text differ; we never query inside it. */
export function jsonTransformer<T>(fallback: T): ValueTransformer {
  return {
    to: (value: T | undefined) => (value === undefined ? undefined : JSON.stringify(value)),
    from: (value: string | null) => (value === null || value === undefined ? fallback : (JSON.parse(value) as T)),
  };
}
