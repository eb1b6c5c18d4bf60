import type { AppConfig } from '../../config/app-config.js';

/** Tunables of the search plans; production takes the defaults, tests shrink them so every plan runs. */
export interface SearchLimits {
  /** Above this many names starting with every word, a search walks the sort index. */
  walkThreshold: number;
  /** Totals stop at this many matches (`totalCapped`). */
  countCap: number;
  /**
   * When every word of a search is broad, at most this many names of its rarest word are
   * checked for the other words to count the total; beyond it the total is a lower bound.
   */
  countBudget: number;
  /** Resources read by the first step of a walk of the sort index. */
  walkBatch: number;
  /** Largest match list sorted by `id IN (...)` (default 20,000; tests shrink it to reach the subquery). */
  sortInMax?: number;
}

export const SEARCH_LIMITS = Symbol('SEARCH_LIMITS');

export function searchLimits(config: Pick<AppConfig, 'searchWalkThreshold'>): SearchLimits {
  return { walkThreshold: config.searchWalkThreshold, countCap: 10_000, countBudget: 1_000, walkBatch: 2_000 };
}

/** How far each word's range is counted: just past what the plans compare it with. */
export function rangeCountLimit(limits: SearchLimits): number {
  return Math.max(limits.walkThreshold, limits.countCap) + 1;
}
