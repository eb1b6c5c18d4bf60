import { Injectable } from '@angular/core';
import { MatPaginatorIntl } from '@angular/material/paginator';
import type { Page } from '@shoal/contract';

/** How many rows a list has, as the user should read it. */
export interface ShownTotal {
  count: number;
  /** `count` is a lower bound ("669+"): there may be more rows after it. */
  atLeast: boolean;
}

/**
 * The total of a page as shown: the API's `total`, exact or, with `totalCapped`, a lower
 * bound. A capped page that comes back short is the last one, so its end is the exact
 * count; a capped page that is full may have more after it.
 */
export function shownTotal(page: Page<unknown>): ShownTotal {
  const offset = (page.page - 1) * page.size;
  const end = offset + page.items.length;
  if (!page.totalCapped) return { count: page.total, atLeast: false };
  if (page.items.length > 0 && page.items.length < page.size) return { count: end, atLeast: false };
  return { count: Math.max(page.total, end), atLeast: true };
}

/**
 * The length to give a paginator: the total, or while it is a lower bound one more page
 * than it, so "next page" stays enabled until a page comes back short.
 */
export function paginatorLength(total: ShownTotal | null, pageSize: number): number {
  if (!total) return 0;
  return total.atLeast ? total.count + pageSize : total.count;
}

const numbers = new Intl.NumberFormat('en-US');

/** "1,234" or "669+". */
export function formatTotal(total: ShownTotal): string {
  return numbers.format(total.count) + (total.atLeast ? '+' : '');
}

/**
 * Paginator labels for a list whose total may be a lower bound: "26 – 50 of 669+".
 * Provide it on the component that owns the paginator and `show()` every answer.
 */
@Injectable()
export class LowerBoundPaginatorIntl extends MatPaginatorIntl {
  private total: ShownTotal | null = null;

  show(total: ShownTotal | null): void {
    if (total?.count === this.total?.count && total?.atLeast === this.total?.atLeast) return;
    this.total = total;
    this.changes.next();
  }

  /** Material's own labels, for exact totals. */
  private readonly exact = new MatPaginatorIntl();

  override getRangeLabel = (page: number, pageSize: number, length: number): string => {
    const total = this.total;
    // Past the end (`?page=999`): Material would say "24951 – 24975 of 34".
    if (length > 0 && page * pageSize >= length && !total?.atLeast)
      return `Page ${numbers.format(page + 1)} of ${numbers.format(Math.ceil(length / pageSize))}: past the end`;
    if (!total?.atLeast) return this.exact.getRangeLabel(page, pageSize, length);
    const start = page * pageSize;
    const end = start + pageSize;
    const of = formatTotal({ count: Math.max(total.count, end), atLeast: true });
    return `${numbers.format(start + 1)} – ${numbers.format(end)} of ${of}`;
  };
}
