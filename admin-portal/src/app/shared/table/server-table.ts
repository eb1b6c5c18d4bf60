import { Signal, computed, effect, inject, signal, untracked } from '@angular/core';
import { takeUntilDestroyed, toObservable, toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, ParamMap, Params, Router } from '@angular/router';
import { PageEvent } from '@angular/material/paginator';
import { Sort } from '@angular/material/sort';
import { Observable, Subject, catchError, debounceTime, map, of, switchMap, tap } from 'rxjs';
import type { Page } from '@shoal/contract';
import { apiErrorMessage } from '../../core/http/api-error';
import { ShownTotal, formatTotal, paginatorLength, shownTotal } from './page-total';
import {
  DEFAULT_PAGE_SIZE,
  SortState,
  TableQuery,
  parsePageSize,
  parsePositiveInt,
  parseSort,
  sortParam,
} from './table-query';

/** How long typing must pause before the search goes to the URL (and the server). */
export const SEARCH_DEBOUNCE_MS = 300;

/** Filters of one table beyond the common ones, each a primitive read from the URL. */
export type TableFilters = Record<string, string | number | boolean | null>;

export interface ServerTableOptions<F extends TableFilters, T> {
  /** The API's sort fields; without them the URL's `sort` is ignored. */
  sortFields?: readonly string[];
  /** Read `q` from the URL (tables without a search box leave it out). */
  search?: boolean;
  /** The table's own filters, read from the URL. */
  filters?: (params: ParamMap) => F;
  load: (query: TableQuery & F) => Observable<Page<T>>;
}

function sameValues<Q extends object>(a: Q, b: Q): boolean {
  const keys = Object.keys(a) as (keyof Q)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * A server-backed table whose search, filters, sort and page live in the URL, so a view
 * is a link someone else can open. Each search, filter, sort and page is a history entry
 * of its own (Back returns to the view before); while the user keeps typing, the search
 * updates its own entry instead of adding one per pause. A change in what the URL asks
 * for loads again; a newer request wins over an older one.
 * Call it from a component's constructor or field initialisers (it injects the route).
 */
export class ServerTable<T, F extends TableFilters = Record<never, never>> {
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly sortFields: readonly string[];

  private readonly params = toSignal(this.route.queryParamMap, {
    initialValue: this.route.snapshot.queryParamMap,
  });

  /** What the URL asks for. */
  readonly query: Signal<TableQuery & F>;
  readonly sort: Signal<SortState>;

  private readonly reloads = signal(0);
  private readonly page = signal<Page<T> | null>(null);
  private readonly failure = signal<string | null>(null);
  private readonly busy = signal(true);

  readonly loading = this.busy.asReadonly();
  /** The last load's error message; null while loading or after a success. */
  readonly error = this.failure.asReadonly();
  /** The last page answered; null before the first answer and after a failure. */
  readonly result = this.page.asReadonly();
  readonly rows = computed(() => this.page()?.items ?? []);
  /** The total as shown: exact, or a lower bound ("669+") the user can page past. */
  readonly total = computed<ShownTotal | null>(() => {
    const p = this.page();
    return p ? shownTotal(p) : null;
  });
  readonly totalText = computed(() => {
    const t = this.total();
    return t ? formatTotal(t) : '';
  });
  readonly paginatorLength = computed(() => paginatorLength(this.total(), this.query().size));
  /** The last page of an exact total; null while the total is unknown or a lower bound. */
  readonly lastPage = computed(() => {
    const t = this.total();
    return t && !t.atLeast ? Math.max(1, Math.ceil(t.count / this.query().size)) : null;
  });
  /** The URL asks for a page past the end (`?page=999` of 34 rows). */
  readonly pastTheEnd = computed(() => {
    const p = this.page();
    return !!p && p.items.length === 0 && p.total > 0 && this.query().page > 1;
  });

  /** The search box; pushed to the URL after a pause in typing. */
  readonly searchText = signal('');
  private readonly typed$ = new Subject<string>();
  /** The q this table last wrote to the URL, so its echo does not overwrite the box. */
  private lastPushedQ: string | null = null;
  /** The URL the last typed search made: typing on there refines that entry. */
  private typedUrl: string | null = null;

  constructor(options: ServerTableOptions<F, T>) {
    this.sortFields = options.sortFields ?? [];
    const search = options.search ?? true;
    const filters = options.filters;
    this.query = computed(
      () => {
        const p = this.params();
        return {
          ...(filters ? filters(p) : ({} as F)),
          q: search ? (p.get('q') ?? '').trim() : '',
          page: parsePositiveInt(p.get('page'), 1),
          size: parsePageSize(p.get('size')),
          sort: sortParam(parseSort(p.get('sort'), this.sortFields)),
        };
      },
      { equal: sameValues },
    );
    this.sort = computed(() => parseSort(this.query().sort, this.sortFields));

    toObservable(computed(() => ({ query: this.query(), reload: this.reloads() })))
      .pipe(
        tap(() => {
          this.busy.set(true);
          this.failure.set(null);
        }),
        switchMap(({ query }) =>
          options.load(query).pipe(
            map((page) => ({ page, error: null })),
            catchError((err: unknown) => of({ page: null, error: apiErrorMessage(err) })),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe(({ page, error }) => {
        this.busy.set(false);
        this.page.set(page);
        this.failure.set(error);
      });

    this.typed$
      .pipe(
        map((text) => text.trim()),
        debounceTime(SEARCH_DEBOUNCE_MS),
        takeUntilDestroyed(),
      )
      .subscribe((q) => this.pushSearch(q));

    // A pasted link or back/forward changes q: show it in the box (but never overwrite
    // what the user is typing with the echo of their own earlier search).
    effect(() => {
      const q = this.query().q;
      untracked(() => {
        if (q !== this.lastPushedQ) this.searchText.set(q);
        this.lastPushedQ = null;
      });
    });
  }

  onSearchInput(text: string): void {
    this.searchText.set(text);
    this.typed$.next(text);
  }

  /** Enter searches at once. */
  searchNow(): void {
    this.pushSearch(this.searchText().trim());
  }

  /** Empties the search box, and with it drops any `also` filters, back to page one. */
  clearSearch(also: Params = {}): void {
    this.searchText.set('');
    if (!this.query().q && Object.keys(also).length === 0) return;
    this.lastPushedQ = '';
    void this.navigate({ ...also, q: null, page: null });
  }

  /** A new sort starts again at the first page. */
  onSort(sort: Sort): void {
    void this.navigate({ sort: sortParam(sort), page: null });
  }

  onPage(event: PageEvent): void {
    void this.navigate({
      page: event.pageIndex > 0 ? event.pageIndex + 1 : null,
      size: event.pageSize === DEFAULT_PAGE_SIZE ? null : event.pageSize,
    });
  }

  firstPage(): void {
    void this.navigate({ page: null });
  }

  /** From past the end to the last page there is (the first, when the end is unknown). */
  goToLastPage(): void {
    const last = this.lastPage();
    void this.navigate({ page: last && last > 1 ? last : null }, { replace: true });
  }

  /** Sets the table's own filters (null drops one), back to page one. */
  filter(params: Params): void {
    void this.navigate({ ...params, page: null });
  }

  /** Loads the same page again (after an edit elsewhere, or a failure). */
  reload(): void {
    this.reloads.update((n) => n + 1);
  }

  /** Shows a row the server answered after an action, without loading the page again. */
  replaceRow(updated: T, isSame: (row: T) => boolean): void {
    this.page.update((page) =>
      page ? { ...page, items: page.items.map((row) => (isSame(row) ? updated : row)) } : page,
    );
  }

  private pushSearch(q: string): void {
    if (q === this.query().q) return;
    this.lastPushedQ = q;
    const refining = this.typedUrl !== null && this.router.url === this.typedUrl;
    void this.navigate({ q: q || null, page: null }, { replace: refining }).then(() => {
      this.typedUrl = this.router.url;
    });
  }

  private navigate(queryParams: Params, opts: { replace?: boolean } = {}): Promise<boolean> {
    return this.router.navigate([], {
      relativeTo: this.route,
      queryParams,
      queryParamsHandling: 'merge',
      replaceUrl: opts.replace ?? false,
    });
  }
}
