import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { DatePipe } from '@angular/common';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { filter, switchMap } from 'rxjs';
import type { ApiTokenSummary } from '@shoal/contract';
import { API_TOKEN_LIMITS } from '@shoal/contract/api';
import { apiErrorMessage } from '../../core/http/api-error';
import { confirmAction } from '../../shared/confirm-dialog.component';
import { SCOPE_LABELS, TokenCreateDialogComponent } from './token-create-dialog.component';
import { TokensService } from './tokens.service';

/**
 * Every signed-in user: their API tokens for scripts and the agent (never the tokens
 * themselves), what each may do, when it was last used, and a way to revoke one. A user
 * holds at most API_TOKEN_LIMITS.maxPerUser, so one request lists them all.
 */
@Component({
  selector: 'app-tokens-page',
  imports: [
    DatePipe,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatTableModule,
    MatTooltipModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-header">
        <h1>My tokens</h1>
        <button
          mat-flat-button
          type="button"
          (click)="add()"
          [disabled]="tokens().length >= maxTokens"
          data-testid="add-api-token"
        >
          <mat-icon>add</mat-icon> New token
        </button>
      </div>
      <p class="muted">
        API tokens let scripts and the agent (<code>shoal login --token-stdin</code>) act as you,
        with no more than the access you give them and never more than your role.
      </p>
      <div class="table-wrap">
        @if (loading()) {
          <mat-progress-bar mode="indeterminate" aria-label="Loading your tokens" />
        }
        <table
          mat-table
          [dataSource]="tokens()"
          aria-label="My API tokens"
          data-testid="api-tokens-table"
        >
          <ng-container matColumnDef="name">
            <th mat-header-cell *matHeaderCellDef>Name</th>
            <td mat-cell *matCellDef="let t" data-testid="api-token-name">{{ t.name }}</td>
          </ng-container>
          <ng-container matColumnDef="scopes">
            <th mat-header-cell *matHeaderCellDef>Access</th>
            <td mat-cell *matCellDef="let t" data-testid="api-token-scopes">
              {{ scopesText(t) }}
            </td>
          </ng-container>
          <ng-container matColumnDef="created">
            <th mat-header-cell *matHeaderCellDef>Created</th>
            <td mat-cell *matCellDef="let t">
              <time [attr.datetime]="t.createdAt">{{ t.createdAt | date: 'd MMM y, HH:mm' }}</time>
            </td>
          </ng-container>
          <ng-container matColumnDef="expires">
            <th mat-header-cell *matHeaderCellDef>Expires</th>
            <td mat-cell *matCellDef="let t" data-testid="api-token-expires">
              @if (t.expired) {
                <span class="status">Expired</span>
              } @else {
                <time [attr.datetime]="t.expiresAt">{{
                  t.expiresAt | date: 'd MMM y, HH:mm'
                }}</time>
              }
            </td>
          </ng-container>
          <ng-container matColumnDef="lastUsed">
            <th mat-header-cell *matHeaderCellDef>Last used</th>
            <td mat-cell *matCellDef="let t" data-testid="api-token-last-used">
              @if (t.lastUsedAt) {
                <time [attr.datetime]="t.lastUsedAt">{{
                  t.lastUsedAt | date: 'd MMM y, HH:mm'
                }}</time>
              } @else {
                <span class="muted">never</span>
              }
            </td>
          </ng-container>
          <ng-container matColumnDef="actions">
            <th mat-header-cell *matHeaderCellDef>
              <span class="cdk-visually-hidden">Actions</span>
            </th>
            <td mat-cell *matCellDef="let t">
              <button
                mat-icon-button
                type="button"
                class="danger"
                [attr.aria-label]="'Revoke the token ' + t.name"
                matTooltip="Revoke: it stops working at once"
                (click)="revoke(t)"
                data-testid="revoke-api-token"
              >
                <mat-icon>delete</mat-icon>
              </button>
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns; sticky: true"></tr>
          <tr mat-row *matRowDef="let row; columns: columns"></tr>
        </table>
        @if (error(); as e) {
          <div class="table-state" role="alert" data-testid="api-tokens-error">
            <mat-icon aria-hidden="true">error</mat-icon>
            <p>Could not load your tokens: {{ e }}</p>
            <button mat-button type="button" (click)="load()">Try again</button>
          </div>
        } @else if (!loading() && tokens().length === 0) {
          <div class="table-state" data-testid="api-tokens-empty">
            <mat-icon aria-hidden="true">key</mat-icon>
            <p>No API tokens yet.</p>
          </div>
        }
      </div>
    </div>
  `,
  styles: `
    .page-header button {
      margin-left: auto;
    }
    .table-wrap .mat-mdc-cell {
      white-space: nowrap;
    }
    .table-state {
      display: flex;
      flex-direction: column;
      align-items: center;
      padding: 32px;
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class TokensPageComponent {
  private readonly api = inject(TokensService);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly maxTokens = API_TOKEN_LIMITS.maxPerUser;
  protected readonly columns = ['name', 'scopes', 'created', 'expires', 'lastUsed', 'actions'];
  protected readonly tokens = signal<ApiTokenSummary[]>([]);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);

  constructor() {
    this.load();
  }

  protected load(): void {
    this.loading.set(true);
    this.error.set(null);
    this.api.list().subscribe({
      next: (list) => {
        this.tokens.set(list);
        this.loading.set(false);
      },
      error: (err: unknown) => {
        this.tokens.set([]);
        this.error.set(apiErrorMessage(err));
        this.loading.set(false);
      },
    });
  }

  protected scopesText(t: ApiTokenSummary): string {
    return t.scopes.map((s) => SCOPE_LABELS[s]).join('; ');
  }

  protected add(): void {
    this.dialog
      .open(TokenCreateDialogComponent, { width: '640px', maxWidth: '95vw', disableClose: true })
      .afterClosed()
      .subscribe(() => this.load());
  }

  protected revoke(token: ApiTokenSummary): void {
    confirmAction(this.dialog, {
      title: `Revoke the token "${token.name}"?`,
      message:
        'Anything using it is refused from its next request on. This cannot be undone: make a new token instead.',
      confirmLabel: 'Revoke',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.api.revoke(token.id)),
      )
      .subscribe({
        next: () => {
          this.tokens.update((list) => list.filter((t) => t.id !== token.id));
          this.snack.open('Token revoked', undefined, { duration: 3000 });
        },
        error: (err: unknown) =>
          this.snack.open(`Revoke failed: ${apiErrorMessage(err)}`, 'Dismiss'),
      });
  }
}
