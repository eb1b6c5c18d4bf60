import type { ResourceSortField } from '@shoal/contract';
import type { Resource } from '../resource.entity.js';

/** A sort field of the catalog, prefixed "-" for descending. */
export type ResourceSort = ResourceSortField | `-${ResourceSortField}`;

/** One page of the catalog, browsed whole or searched. */
export interface SearchRequest {
  /**
   * What the user typed: every word must start a word of the name, and punctuation must
   * appear in the name literally. No words and no punctuation browses the whole catalog.
   */
  q?: string;
  /** Only resources with this tag (exact, case-insensitive). */
  tag?: string;
  sort: ResourceSort;
  /** 1-based. */
  page: number;
  size: number;
}

export interface SearchResult {
  /** The page, in the sort order, with the summary columns only (no file list, no hashes). */
  rows: Resource[];
  total: number;
  /** `total` is a lower bound: counting stopped at the cap or at the count budget. */
  totalCapped: boolean;
}
