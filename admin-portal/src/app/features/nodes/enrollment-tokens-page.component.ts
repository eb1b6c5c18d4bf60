import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { DatePipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { filter, switchMap } from 'rxjs';
import type { EnrollmentTokenState, EnrollmentTokenSummary } from '@shoal/contract';
import { ENROLLMENT_TOKEN_STATES } from '@shoal/contract/api';
import { apiErrorMessage } from '../../core/http/api-error';
import { confirmAction } from '../../shared/confirm-dialog.component';
import { ServerTable } from '../../shared/table/server-table';
import { TablePaginatorComponent } from '../../shared/table/table-paginator.component';
import {
  TableLoadingBarComponent,
  TableStateComponent,
} from '../../shared/table/table-state.component';
import { EnrollmentDialogComponent } from './enrollment-dialog.component';
import { NodesService } from './nodes.service';

type TokenFilters = { state: EnrollmentTokenState | null };

const STATE_LABELS: Record<EnrollmentTokenState, string> = {
  active: 'Active',
  'used-up': 'Used up',
  expired: 'Expired',
  revoked: 'Revoked',
};

/**
 * Admin: the enrollment tokens made so far (never the tokens themselves), how many machines
 * each has enrolled out of how many it may, and a way to stop one enrolling any more.
 */
@Component({
  selector: 'app-enrollment-tokens-page',
  imports: [
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatSelectModule,
    MatTableModule,
    MatTooltipModule,
    TableLoadingBarComponent,
    TablePaginatorComponent,
    TableStateComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-header">
        <h1>Enrollment tokens</h1>
        <a mat-button routerLink="/nodes">Nodes</a>
        <button mat-flat-button type="button" (click)="add()" data-testid="add-token">
          <mat-icon>add</mat-icon> New enrollment token
        </button>
      </div>
      <div class="toolbar-row">
        <mat-form-field subscriptSizing="dynamic">
          <mat-label>State</mat-label>
          <mat-select
            [value]="table.query().state ?? ''"
            (selectionChange)="setState($event.value)"
            data-testid="token-state-filter"
          >
            <mat-option value="">Any state</mat-option>
            @for (s of states; track s) {
              <mat-option [value]="s">{{ stateLabels[s] }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
      </div>
      <div class="table-wrap">
        <app-table-loading-bar [table]="table" what="enrollment tokens" />
        <table
          mat-table
          [dataSource]="table.rows()"
          aria-label="Enrollment tokens"
          data-testid="tokens-table"
        >
          <ng-container matColumnDef="created">
            <th mat-header-cell *matHeaderCellDef>Created</th>
            <td mat-cell *matCellDef="let t">
              <time [attr.datetime]="t.createdAt">{{ t.createdAt | date: 'd MMM y, HH:mm' }}</time>
              <span class="muted"> by {{ t.createdBy ?? 'a removed user' }}</span>
            </td>
          </ng-container>
          <ng-container matColumnDef="role">
            <th mat-header-cell *matHeaderCellDef>Enrolls</th>
            <td mat-cell *matCellDef="let t">
              {{ t.role === 'seed' ? 'Seed servers' : 'Clients'
              }}{{ t.site ? ' at ' + t.site : '' }}
            </td>
          </ng-container>
          <ng-container matColumnDef="uses">
            <th mat-header-cell *matHeaderCellDef class="num">Used</th>
            <td mat-cell *matCellDef="let t" class="num" data-testid="token-uses">
              {{ t.uses }} of {{ t.maxUses }}
            </td>
          </ng-container>
          <ng-container matColumnDef="state">
            <th mat-header-cell *matHeaderCellDef>State</th>
            <td mat-cell *matCellDef="let t" data-testid="token-state">
              <span class="status" [class.online]="t.state === 'active'">{{
                stateLabel(t.state)
              }}</span>
            </td>
          </ng-container>
          <ng-container matColumnDef="expires">
            <th mat-header-cell *matHeaderCellDef>Expires</th>
            <td mat-cell *matCellDef="let t">
              <time [attr.datetime]="t.expiresAt">{{ t.expiresAt | date: 'd MMM y, HH:mm' }}</time>
            </td>
          </ng-container>
          <ng-container matColumnDef="lastUsed">
            <th mat-header-cell *matHeaderCellDef>Last used</th>
            <td mat-cell *matCellDef="let t">
              @if (t.lastUsedAt) {
                <time [attr.datetime]="t.lastUsedAt">{{
                  t.lastUsedAt | date: 'd MMM, HH:mm:ss'
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
              @if (t.state === 'active') {
                <button
                  mat-icon-button
                  type="button"
                  class="danger"
                  aria-label="Revoke this enrollment token"
                  matTooltip="Revoke: no more machines enroll with it"
                  (click)="revoke(t)"
                  data-testid="revoke-token"
                >
                  <mat-icon>block</mat-icon>
                </button>
              }
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns; sticky: true"></tr>
          <tr mat-row *matRowDef="let row; columns: columns"></tr>
        </table>
        <app-table-state [table]="table" what="enrollment tokens">
          <mat-icon aria-hidden="true">key</mat-icon>
          <p>No enrollment tokens{{ table.query().state ? ' in this state' : ' yet' }}.</p>
        </app-table-state>
      </div>
      <app-table-paginator [table]="table" label="Choose a page of enrollment tokens" />
    </div>
  `,
  styles: `
    .page-header a {
      margin-left: auto;
    }
    .table-wrap .mat-mdc-cell {
      white-space: nowrap;
    }
  `,
})
export class EnrollmentTokensPageComponent {
  private readonly api = inject(NodesService);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly states = ENROLLMENT_TOKEN_STATES;
  protected readonly stateLabels = STATE_LABELS;
  protected readonly columns = [
    'created',
    'role',
    'uses',
    'state',
    'expires',
    'lastUsed',
    'actions',
  ];

  protected readonly table = new ServerTable<EnrollmentTokenSummary, TokenFilters>({
    search: false,
    filters: (p) => {
      const state = p.get('state');
      return {
        state: (ENROLLMENT_TOKEN_STATES as readonly string[]).includes(state ?? '')
          ? (state as EnrollmentTokenState)
          : null,
      };
    },
    load: (query) => this.api.listEnrollmentTokens(query),
  });

  protected stateLabel(state: EnrollmentTokenState): string {
    return STATE_LABELS[state];
  }

  protected setState(state: string): void {
    this.table.filter({ state: state || null });
  }

  protected add(): void {
    this.dialog
      .open(EnrollmentDialogComponent, { width: '640px', maxWidth: '95vw', disableClose: true })
      .afterClosed()
      .subscribe(() => this.table.reload());
  }

  protected revoke(token: EnrollmentTokenSummary): void {
    confirmAction(this.dialog, {
      title: 'Revoke this enrollment token?',
      message: `No more machines can enroll with it (${token.uses} of ${token.maxUses} used). The nodes it enrolled keep working; revoke those on the Nodes page.`,
      confirmLabel: 'Revoke',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.api.revokeEnrollmentToken(token.id)),
      )
      .subscribe({
        next: (updated) => {
          this.table.replaceRow(updated, (t) => t.id === updated.id);
          this.snack.open('Enrollment token revoked', undefined, { duration: 3000 });
        },
        error: (err: unknown) =>
          this.snack.open(`Revoke failed: ${apiErrorMessage(err)}`, 'Dismiss'),
      });
  }
}
