import { ChangeDetectionStrategy, Component, computed, effect, inject, input } from '@angular/core';
import { MatPaginatorIntl, MatPaginatorModule } from '@angular/material/paginator';
import { LowerBoundPaginatorIntl } from './page-total';
import { ServerTable } from './server-table';
import { PAGE_SIZES } from './table-query';

/**
 * The paginator of a server table: page and size go to the URL, and a total that is only a
 * lower bound reads "26 – 50 of 669+" and keeps "next" enabled until a page comes back short.
 */
@Component({
  selector: 'app-table-paginator',
  imports: [MatPaginatorModule],
  providers: [
    LowerBoundPaginatorIntl,
    { provide: MatPaginatorIntl, useExisting: LowerBoundPaginatorIntl },
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-paginator
      [length]="table().paginatorLength()"
      [pageIndex]="table().query().page - 1"
      [pageSize]="table().query().size"
      [pageSizeOptions]="pageSizes"
      [showFirstLastButtons]="showFirstLast()"
      (page)="table().onPage($event)"
      [attr.aria-label]="label()"
    />
  `,
  styles: `
    mat-paginator {
      background: transparent;
    }
  `,
})
export class TablePaginatorComponent {
  readonly table = input.required<ServerTable<unknown>>();
  /** What the paginator chooses pages of, for screen readers: "Choose a page of nodes". */
  readonly label = input.required<string>();
  /** Offer first/last buttons (never while the total is a lower bound: the end is unknown). */
  readonly firstLast = input(false);

  protected readonly pageSizes = PAGE_SIZES;
  protected readonly showFirstLast = computed(
    () => this.firstLast() && !this.table().total()?.atLeast,
  );

  constructor() {
    const intl = inject(LowerBoundPaginatorIntl);
    effect(() => intl.show(this.table().total()));
  }
}
