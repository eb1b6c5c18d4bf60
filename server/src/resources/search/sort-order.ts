import type { ResourceSortField } from '@shoal/contract';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ResourceSort } from './search-request.js';

export interface SortOrder {
  column: string;
  direction: 'ASC' | 'DESC';
}

const SORT_COLUMNS: Record<ResourceSortField, string> = {
  name: 'r.nameLower',
  size: 'r.totalSize',
  seeds: 'r.seedCount',
  downloaders: 'r.downloaderCount',
  created: 'r.createdAt',
  updated: 'r.updatedAt',
};

/**
 * Sorts whose index holds `id` and `nameLower` on MySQL: `(nameLower)` (InnoDB entries end
 * in the primary key) and `(createdAt, id, nameLower)`, the default sort's.
 */
const NAME_COVERING_SORTS = new Set(['r.nameLower', 'r.createdAt']);

export function sortOrder(sort: ResourceSort): SortOrder {
  const descending = sort.startsWith('-');
  return {
    column: SORT_COLUMNS[(descending ? sort.slice(1) : sort) as ResourceSortField],
    direction: descending ? 'DESC' : 'ASC',
  };
}

export function indexHoldsNames(order: SortOrder): boolean {
  return NAME_COVERING_SORTS.has(order.column);
}

/**
 * The sort with its tie-breaker in the same direction, so the sort column's index (which
 * ends in the primary key) serves the whole ORDER BY without a filesort.
 */
export function sorted<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, order: SortOrder): SelectQueryBuilder<T> {
  return qb.orderBy(order.column, order.direction).addOrderBy('r.id', order.direction);
}
