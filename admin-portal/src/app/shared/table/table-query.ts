import { HttpParams } from '@angular/common/http';
import { SortDirection } from '@angular/material/sort';

/** What every server-backed list asks for. */
export interface TableQuery {
  /** The search, trimmed; '' when there is none (or the table has no search box). */
  q: string;
  /** 1-based, like the API. */
  page: number;
  size: number;
  /** `name`, `-size`, ...; null for the server's default order. */
  sort: string | null;
}

/** The request parameters of a list: page and size always, search and sort when set. */
export function tableParams(
  query: Partial<TableQuery> & Pick<TableQuery, 'page' | 'size'>,
): HttpParams {
  let params = new HttpParams().set('page', query.page).set('size', query.size);
  if (query.q) params = params.set('q', query.q);
  if (query.sort) params = params.set('sort', query.sort);
  return params;
}

/** A server-side sort as the API spells it: `name` ascending, `-name` descending. */
export interface SortState {
  active: string;
  direction: SortDirection;
}

export function parseSort(raw: string | null | undefined, allowed: readonly string[]): SortState {
  if (!raw) return { active: '', direction: '' };
  const desc = raw.startsWith('-');
  const field = desc ? raw.slice(1) : raw;
  if (!allowed.includes(field)) return { active: '', direction: '' };
  return { active: field, direction: desc ? 'desc' : 'asc' };
}

export function sortParam(sort: SortState): string | null {
  if (!sort.active || !sort.direction) return null;
  return sort.direction === 'desc' ? `-${sort.active}` : sort.active;
}

export function parsePositiveInt(
  raw: string | null | undefined,
  fallback: number,
  max = 100000,
): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
}

export const PAGE_SIZES = [10, 25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 25;

export function parsePageSize(raw: string | null | undefined): number {
  const n = Number(raw);
  return (PAGE_SIZES as readonly number[]).includes(n) ? n : DEFAULT_PAGE_SIZE;
}
