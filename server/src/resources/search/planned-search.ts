import type { Resource } from '../resource.entity.js';
import type { SortOrder } from './sort-order.js';
import type { WordRange } from './word-ranges.js';

/** A search with at least one word, ready for a plan. */
export interface PlannedSearch {
  /** Rarest first. */
  ranges: WordRange[];
  literal: string | null;
  order: SortOrder;
  page: number;
  size: number;
}

/** What a plan answers: the page and the total, which may pass the cap (the caller caps it). */
export interface PlanResult {
  rows: Resource[];
  total: number;
  /** The total is at least this (the count budget ran out). */
  lowerBound?: boolean;
}
