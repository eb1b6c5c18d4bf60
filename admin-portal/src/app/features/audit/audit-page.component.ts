import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable, toSignal } from '@angular/core/rxjs-interop';
import { DatePipe } from '@angular/common';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { catchError, map, of, switchMap, tap } from 'rxjs';
import type { AuditEntry, Page } from '@shoal/contract';
import { apiErrorMessage } from '../../core/http/api-error';
import {
  DEFAULT_PAGE_SIZE,
  PAGE_SIZES,
  parsePageSize,
  parsePositiveInt,
} from '../../shared/table-query';
import { AuditService, auditActionLabel } from './audit.service';

/** Admin: who did what and when (manifest downloads, publishes, revocations, user changes). */
@Component({
  selector: 'app-audit-page',
  imports: [
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatIconModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatTableModule,
    MatTooltipModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './audit-page.component.html',
  styleUrl: './audit-page.component.scss',
})
export class AuditPageComponent {
  private readonly api = inject(AuditService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  protected readonly columns = ['at', 'action', 'user', 'resource', 'node'];
  protected readonly pageSizes = PAGE_SIZES;

  private readonly params = toSignal(this.route.queryParamMap, {
    initialValue: this.route.snapshot.queryParamMap,
  });
  protected readonly query = computed(
    () => {
      const p = this.params();
      return { page: parsePositiveInt(p.get('page'), 1), size: parsePageSize(p.get('size')) };
    },
    { equal: (a, b) => a.page === b.page && a.size === b.size },
  );

  private readonly reloads = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly result = signal<Page<AuditEntry> | null>(null);
  protected readonly rows = computed(() => this.result()?.items ?? []);

  constructor() {
    toObservable(computed(() => ({ query: this.query(), n: this.reloads() })))
      .pipe(
        tap(() => {
          this.loading.set(true);
          this.error.set(null);
        }),
        switchMap(({ query }) =>
          this.api.list(query.page, query.size).pipe(
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
  }

  protected label(entry: AuditEntry): string {
    return auditActionLabel(entry.action);
  }

  /** The first block of an id: enough to tell entries apart, the whole id on hover. */
  protected short(id: string): string {
    return id.length > 8 ? `${id.slice(0, 8)}…` : id;
  }

  protected onPage(event: PageEvent): void {
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: {
        page: event.pageIndex > 0 ? event.pageIndex + 1 : null,
        size: event.pageSize === DEFAULT_PAGE_SIZE ? null : event.pageSize,
      },
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }

  protected retry(): void {
    this.reloads.update((n) => n + 1);
  }
}
