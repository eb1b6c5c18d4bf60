import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { DatePipe } from '@angular/common';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { Observable, filter } from 'rxjs';
import type { UserSummary } from '@shoal/contract';
import { AuthService } from '../../core/auth/auth.service';
import { apiErrorMessage } from '../../core/http/api-error';
import { confirmAction } from '../../shared/confirm-dialog.component';
import { ServerTable } from '../../shared/table/server-table';
import { TablePaginatorComponent } from '../../shared/table/table-paginator.component';
import { TableSearchComponent } from '../../shared/table/table-search.component';
import {
  TableLoadingBarComponent,
  TableStateComponent,
} from '../../shared/table/table-state.component';
import { CreateUserDialogComponent, ResetPasswordDialogComponent } from './user-dialogs.component';
import { UsersService } from './users.service';

/** Admin: list/search users, create, change role, disable/enable, reset password. */
@Component({
  selector: 'app-users-page',
  imports: [
    DatePipe,
    MatButtonModule,
    MatIconModule,
    MatMenuModule,
    MatTableModule,
    TableLoadingBarComponent,
    TablePaginatorComponent,
    TableSearchComponent,
    TableStateComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './users-page.component.html',
  styleUrl: './users-page.component.scss',
})
export class UsersPageComponent {
  private readonly api = inject(UsersService);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly auth = inject(AuthService);

  protected readonly columns = ['username', 'role', 'status', 'created', 'actions'];
  // The server searches users but offers no sort.
  protected readonly table = new ServerTable<UserSummary>({
    load: (query) => this.api.list(query),
  });

  protected isSelf(user: UserSummary): boolean {
    return this.auth.user()?.id === user.id;
  }

  protected create(): void {
    this.dialog
      .open(CreateUserDialogComponent, { width: '480px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((user?: UserSummary) => {
        if (!user) return;
        this.snack.open(`Created ${user.username}`, undefined, { duration: 3000 });
        this.table.reload();
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
        this.table.replaceRow(updated, (u) => u.id === updated.id);
        this.snack.open(message, undefined, { duration: 3000 });
      },
      error: (err: unknown) => this.snack.open(apiErrorMessage(err), 'Dismiss'),
    });
  }
}
