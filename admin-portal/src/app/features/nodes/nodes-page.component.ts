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
import { ActivatedRoute, Params, Router } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatSortModule, Sort } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Subject, catchError, debounceTime, filter, map, of, switchMap, tap } from 'rxjs';
import type { NodeRole, NodeSummary, Page } from '@shoal/contract';
import { apiErrorMessage } from '../../core/http/api-error';
import { BytesPipe, ExactBytesPipe } from '../../shared/bytes.pipe';
import { confirmAction } from '../../shared/confirm-dialog.component';
import {
  DEFAULT_PAGE_SIZE,
  PAGE_SIZES,
  parsePageSize,
  parsePositiveInt,
  parseSort,
  sortParam,
} from '../../shared/table-query';
import { EnrollmentDialogComponent } from './enrollment-dialog.component';
import { NodeQuery, NodesService } from './nodes.service';

const SORT_FIELDS = ['name', 'role', 'site', 'lastHeartbeat', 'created'] as const;
const SEARCH_DEBOUNCE_MS = 300;

function sameQuery(a: NodeQuery, b: NodeQuery): boolean {
  return (
    a.q === b.q &&
    a.role === b.role &&
    a.online === b.online &&
    a.page === b.page &&
    a.size === b.size &&
    a.sort === b.sort
  );
}

/** Admin: the enrolled agents, filtered and sorted by the server, with the table state in the URL. */
@Component({
  selector: 'app-nodes-page',
  imports: [
    DatePipe,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatSelectModule,
    MatSortModule,
    MatTableModule,
    MatTooltipModule,
    BytesPipe,
    ExactBytesPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './nodes-page.component.html',
  styleUrl: './nodes-page.component.scss',
})
export class NodesPageComponent {
  private readonly api = inject(NodesService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);

  protected readonly columns = [
    'name',
    'role',
    'site',
    'addresses',
    'status',
    'lastHeartbeat',
    'resourcesHeld',
    'uploaded',
    'downloaded',
    'actions',
  ];
  protected readonly pageSizes = PAGE_SIZES;

  private readonly params = toSignal(this.route.queryParamMap, {
    initialValue: this.route.snapshot.queryParamMap,
  });
  protected readonly query = computed<NodeQuery>(
    () => {
      const p = this.params();
      const role = p.get('role');
      const online = p.get('online');
      return {
        q: (p.get('q') ?? '').trim(),
        role: role === 'seed' || role === 'client' ? (role as NodeRole) : null,
        online: online === 'true' ? true : online === 'false' ? false : null,
        page: parsePositiveInt(p.get('page'), 1),
        size: parsePageSize(p.get('size')),
        sort: sortParam(parseSort(p.get('sort'), SORT_FIELDS)),
      };
    },
    { equal: sameQuery },
  );
  protected readonly sort = computed(() => parseSort(this.query().sort, SORT_FIELDS));
  protected readonly statusFilter = computed(() =>
    this.query().online === null ? '' : this.query().online ? 'true' : 'false',
  );

  private readonly reloads = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly result = signal<Page<NodeSummary> | null>(null);
  protected readonly rows = computed(() => this.result()?.items ?? []);
  protected readonly filtered = computed(
    () => !!this.query().q || this.query().role !== null || this.query().online !== null,
  );

  protected readonly searchText = signal('');
  private readonly typed$ = new Subject<string>();
  private lastPushedQ: string | null = null;

  constructor() {
    toObservable(computed(() => ({ query: this.query(), n: this.reloads() })))
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
      });

    this.typed$
      .pipe(
        map((t) => t.trim()),
        debounceTime(SEARCH_DEBOUNCE_MS),
        takeUntilDestroyed(),
      )
      .subscribe((q) => this.pushSearch(q));

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

  protected setRole(role: string): void {
    this.navigate({ role: role || null, page: null });
  }

  protected setStatus(online: string): void {
    this.navigate({ online: online || null, page: null });
  }

  protected clearFilters(): void {
    this.searchText.set('');
    this.lastPushedQ = '';
    this.navigate({ q: null, role: null, online: null, page: null });
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

  protected retry(): void {
    this.reloads.update((n) => n + 1);
  }

  protected addSeed(): void {
    this.dialog
      .open(EnrollmentDialogComponent, { width: '600px', maxWidth: '95vw', disableClose: true })
      .afterClosed()
      .subscribe(() => this.retry());
  }

  protected revoke(node: NodeSummary): void {
    confirmAction(this.dialog, {
      title: `Revoke ${node.name}?`,
      message:
        'The node loses its credential at once: the server refuses it and other agents stop talking to it. To bring the machine back, enroll it again.',
      confirmLabel: 'Revoke',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.api.revoke(node.id)),
      )
      .subscribe({
        next: (updated) => {
          this.result.update((page) =>
            page
              ? { ...page, items: page.items.map((n) => (n.id === updated.id ? updated : n)) }
              : page,
          );
          this.snack.open(`Revoked ${updated.name}`, undefined, { duration: 3000 });
        },
        error: (err: unknown) =>
          this.snack.open(`Revoke failed: ${apiErrorMessage(err)}`, 'Dismiss'),
      });
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
