import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  signal,
  untracked,
} from '@angular/core';
import { takeUntilDestroyed, toObservable, toSignal } from '@angular/core/rxjs-interop';
import { DatePipe } from '@angular/common';
import { ActivatedRoute, Params, Router, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorIntl, MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSortModule, Sort } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { Subject, catchError, debounceTime, map, of, switchMap, tap } from 'rxjs';
import type { Page, ResourceSortField, ResourceSummary } from '@shoal/contract';
import { AuthService } from '../../core/auth/auth.service';
import { apiErrorMessage } from '../../core/http/api-error';
import { BytesPipe, ExactBytesPipe } from '../../shared/bytes.pipe';
import {
  DEFAULT_PAGE_SIZE,
  PAGE_SIZES,
  parsePageSize,
  parsePositiveInt,
  parseSort,
  sortParam,
} from '../../shared/table-query';
import { narrowScreen } from '../../shared/narrow-screen';
import {
  LowerBoundPaginatorIntl,
  formatTotal,
  paginatorLength,
  shownTotal,
} from '../../shared/page-total';
import { ResourceQuery, ResourcesService } from './resources.service';

/** The API's sort fields (kept here: the contract is imported for types only). */
const SORT_FIELDS: readonly ResourceSortField[] = [
  'name',
  'size',
  'seeds',
  'downloaders',
  'created',
  'updated',
];

export const SEARCH_DEBOUNCE_MS = 300;

function sameQuery(a: ResourceQuery, b: ResourceQuery): boolean {
  return a.q === b.q && a.page === b.page && a.size === b.size && a.sort === b.sort;
}

/**
 * The catalog: a server-backed table whose search, sort and page live in the URL
 * (replaceUrl), so a search is a link someone else can open.
 */
@Component({
  selector: 'app-catalog-page',
  imports: [
    DatePipe,
    RouterLink,
    MatTableModule,
    MatSortModule,
    MatPaginatorModule,
    MatFormFieldModule,
    MatInputModule,
    MatIconModule,
    MatButtonModule,
    MatProgressBarModule,
    BytesPipe,
    ExactBytesPipe,
  ],
  // Searches of several common words answer a lower bound ("669+"): the paginator says so.
  providers: [
    LowerBoundPaginatorIntl,
    { provide: MatPaginatorIntl, useExisting: LowerBoundPaginatorIntl },
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './catalog-page.component.html',
  styleUrl: './catalog-page.component.scss',
})
export class CatalogPageComponent {
  private readonly api = inject(ResourcesService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected readonly auth = inject(AuthService);
  private readonly paginatorIntl = inject(LowerBoundPaginatorIntl);

  /** On a phone the table keeps what matters for choosing: name, size, seeds, downloaders. */
  protected readonly narrow = narrowScreen();
  protected readonly columns = computed(() =>
    this.narrow()
      ? ['name', 'size', 'seeds', 'downloaders']
      : ['name', 'size', 'seeds', 'downloaders', 'updated'],
  );
  protected readonly pageSizes = PAGE_SIZES;

  private readonly params = toSignal(this.route.queryParamMap, {
    initialValue: this.route.snapshot.queryParamMap,
  });

  /** What the URL asks for. */
  protected readonly query = computed<ResourceQuery>(
    () => {
      const p = this.params();
      return {
        q: (p.get('q') ?? '').trim(),
        page: parsePositiveInt(p.get('page'), 1),
        size: parsePageSize(p.get('size')),
        sort: sortParam(parseSort(p.get('sort'), SORT_FIELDS)),
      };
    },
    { equal: sameQuery },
  );
  protected readonly sort = computed(() => parseSort(this.query().sort, SORT_FIELDS));

  private readonly reloads = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly result = signal<Page<ResourceSummary> | null>(null);
  protected readonly rows = computed(() => this.result()?.items ?? []);
  /** The total as shown: exact, or a lower bound ("669+") the user can page past. */
  protected readonly total = computed(() => {
    const r = this.result();
    return r ? shownTotal(r) : null;
  });
  protected readonly totalText = computed(() => {
    const t = this.total();
    return t ? formatTotal(t) : '';
  });
  protected readonly paginatorLength = computed(() =>
    paginatorLength(this.total(), this.query().size),
  );

  /** The search box; pushed to the URL after a pause in typing. */
  protected readonly searchText = signal('');
  private readonly typed$ = new Subject<string>();
  private lastPushedQ: string | null = null;

  constructor() {
    toObservable(computed(() => ({ query: this.query(), reload: this.reloads() })))
      .pipe(
        tap(() => {
          this.loading.set(true);
          this.error.set(null);
        }),
        switchMap(({ query }) =>
          this.api.list(query).pipe(
            map((page) => ({ page, error: null })),
            catchError((err: unknown) => of({ page: null, error: apiErrorMessage(err) })),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe(({ page, error }) => {
        this.loading.set(false);
        this.result.set(page);
        this.error.set(error);
        this.paginatorIntl.show(this.total());
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

  protected onSearchInput(text: string): void {
    this.searchText.set(text);
    this.typed$.next(text);
  }

  /** Enter searches at once. */
  protected searchNow(): void {
    this.pushSearch(this.searchText().trim());
  }

  protected clearSearch(): void {
    this.searchText.set('');
    this.pushSearch('');
  }

  protected onSort(sort: Sort): void {
    this.navigate({ sort: sortParam(sort), page: null });
  }

  protected onPage(event: PageEvent): void {
    this.navigate({
      page: event.pageIndex > 0 ? event.pageIndex + 1 : null,
      size: event.pageSize === DEFAULT_PAGE_SIZE ? null : event.pageSize,
    });
  }

  protected firstPage(): void {
    this.navigate({ page: null });
  }

  protected retry(): void {
    this.reloads.update((n) => n + 1);
  }

  protected open(row: ResourceSummary, event: MouseEvent): void {
    // The name is a real link (keyboard, middle-click); the rest of the row is a shortcut.
    if ((event.target as HTMLElement | null)?.closest('a')) return;
    void this.router.navigate([row.id], { relativeTo: this.route });
  }

  private pushSearch(q: string): void {
    if (q === this.query().q) return;
    this.lastPushedQ = q;
    this.navigate({ q: q || null, page: null });
  }

  private navigate(queryParams: Params): void {
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams,
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }
}
