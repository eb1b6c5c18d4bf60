import { Params } from '@angular/router';
import { SortDirection } from '@angular/material/sort';

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

/** Query params with defaults dropped, so shared links stay short. */
export function compactParams(params: Record<string, string | number | null | undefined>): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) out[k] = v === '' || v === undefined ? null : v;
  return out;
}
