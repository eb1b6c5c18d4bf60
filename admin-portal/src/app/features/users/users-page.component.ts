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
import { MatMenuModule } from '@angular/material/menu';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import {
  Observable,
  Subject,
  catchError,
  debounceTime,
  filter,
  map,
  of,
  switchMap,
  tap,
} from 'rxjs';
import type { Page, UserSummary } from '@shoal/contract';
import { AuthService } from '../../core/auth/auth.service';
import { apiErrorMessage } from '../../core/http/api-error';
import { confirmAction } from '../../shared/confirm-dialog.component';
import {
  DEFAULT_PAGE_SIZE,
  PAGE_SIZES,
  parsePageSize,
  parsePositiveInt,
} from '../../shared/table-query';
import { CreateUserDialogComponent, ResetPasswordDialogComponent } from './user-dialogs.component';
import { UserQuery, UsersService } from './users.service';

const SEARCH_DEBOUNCE_MS = 300;

/** Admin: list/search users, create, change role, disable/enable, reset password. */
@Component({
  selector: 'app-users-page',
  imports: [
    DatePipe,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatMenuModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatTableModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './users-page.component.html',
  styleUrl: './users-page.component.scss',
})
export class UsersPageComponent {
  private readonly api = inject(UsersService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly auth = inject(AuthService);

  protected readonly columns = ['username', 'role', 'status', 'created', 'actions'];
  protected readonly pageSizes = PAGE_SIZES;

  private readonly params = toSignal(this.route.queryParamMap, {
    initialValue: this.route.snapshot.queryParamMap,
  });
  protected readonly query = computed<UserQuery>(
    () => {
      const p = this.params();
      return {
        q: (p.get('q') ?? '').trim(),
        page: parsePositiveInt(p.get('page'), 1),
        size: parsePageSize(p.get('size')),
      };
    },
    { equal: (a, b) => a.q === b.q && a.page === b.page && a.size === b.size },
  );

  private readonly reloads = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly result = signal<Page<UserSummary> | null>(null);
  protected readonly rows = computed(() => this.result()?.items ?? []);

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
      .subscribe((q) => {
        if (q === this.query().q) return;
        this.lastPushedQ = q;
        this.navigate({ q: q || null, page: null });
      });

    effect(() => {
      const q = this.query().q;
      untracked(() => {
        if (q !== this.lastPushedQ) this.searchText.set(q);
        this.lastPushedQ = null;
      });
    });
  }

  protected isSelf(user: UserSummary): boolean {
    return this.auth.user()?.id === user.id;
  }

  protected onSearchInput(text: string): void {
    this.searchText.set(text);
    this.typed$.next(text);
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

  protected create(): void {
    this.dialog
      .open(CreateUserDialogComponent, { width: '480px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((user?: UserSummary) => {
        if (!user) return;
        this.snack.open(`Created ${user.username}`, undefined, { duration: 3000 });
        this.retry();
      });
  }

  protected setRole(user: UserSummary, role: UserSummary['role']): void {
    this.apply(
      this.api.update(user.id, { role }),
      `${user.username} is now ${role === 'admin' ? 'an admin' : 'a member'}`,
    );
  }

  protected toggleDisabled(user: UserSummary): void {
    if (user.disabled) {
      this.apply(this.api.update(user.id, { disabled: false }), `Enabled ${user.username}`);
      return;
    }
    confirmAction(this.dialog, {
      title: `Disable ${user.username}?`,
      message: 'They are signed out at once and cannot sign in until enabled again.',
      confirmLabel: 'Disable',
      destructive: true,
    })
      .pipe(filter(Boolean))
      .subscribe(() =>
        this.apply(this.api.update(user.id, { disabled: true }), `Disabled ${user.username}`),
      );
  }

  protected resetPassword(user: UserSummary): void {
    this.dialog
      .open(ResetPasswordDialogComponent, { data: user, width: '480px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((done?: boolean) => {
        if (done)
          this.snack.open(`New password set for ${user.username}`, undefined, { duration: 3000 });
      });
  }

  private apply(call: Observable<UserSummary>, message: string): void {
    call.subscribe({
      next: (updated) => {
        this.result.update((page) =>
          page
            ? { ...page, items: page.items.map((u) => (u.id === updated.id ? updated : u)) }
            : page,
        );
        this.snack.open(message, undefined, { duration: 3000 });
      },
      error: (err: unknown) => this.snack.open(apiErrorMessage(err), 'Dismiss'),
    });
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
