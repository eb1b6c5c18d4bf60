import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { DatePipe, DOCUMENT } from '@angular/common';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialogModule } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatRadioModule } from '@angular/material/radio';
import { MatSelectModule } from '@angular/material/select';
import type { ApiTokenCreated, ApiTokenScope } from '@shoal/contract';
import { API_TOKEN_LIMITS, API_TOKEN_SCOPES_BY_ROLE } from '@shoal/contract/api';
import { AuthService } from '../../core/auth/auth.service';
import { apiErrorMessage } from '../../core/http/api-error';
import { CommandLineComponent } from '../../shared/command-line.component';
import { CopyButtonComponent } from '../../shared/copy-button.component';
import { TokensService } from './tokens.service';

/** What each scope lets a token do; each includes the ones below it. */
export const SCOPE_LABELS: Record<ApiTokenScope, string> = {
  'catalog:read': 'Read the catalog and download',
  publish: 'Publish, edit and delete resources (and read)',
  admin: 'Everything an admin can do',
};

const LIFETIMES = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: API_TOKEN_LIMITS.maxExpiresInDays, label: '1 year (the longest)' },
] as const;

/**
 * "New token": a name, what it may do (never more than the user's role allows), how long
 * it lives; then the token itself, shown this once (the server keeps only its hash).
 */
@Component({
  selector: 'app-token-create-dialog',
  imports: [
    DatePipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatRadioModule,
    MatSelectModule,
    CommandLineComponent,
    CopyButtonComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>New API token</h2>
    @if (created(); as t) {
      <mat-dialog-content>
        <p>Your new token "{{ t.name }}":</p>
        <div class="secret">
          <code data-testid="new-token">{{ t.token }}</code>
          <app-copy-button [text]="t.token" label="Copy the token" />
        </div>
        <p class="warn" role="note">
          <mat-icon aria-hidden="true">warning</mat-icon>
          Copy it now: it is shown only once. It works until
          {{ t.expiresAt | date: 'd MMM y, HH:mm' }} or until you revoke it.
        </p>
        <p>
          Send it as <code>Authorization: Bearer &lt;token&gt;</code>, or log the agent in with it:
        </p>
        <app-command-line [command]="loginCommand" copyLabel="Copy the login command" />
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-flat-button type="button" mat-dialog-close cdkFocusInitial>Done</button>
      </mat-dialog-actions>
    } @else {
      <form [formGroup]="form" (ngSubmit)="create()" novalidate>
        <mat-dialog-content class="dialog-form">
          @if (error(); as e) {
            <p class="form-error" role="alert">{{ e }}</p>
          }
          <mat-form-field>
            <mat-label>Name</mat-label>
            <input
              matInput
              formControlName="name"
              [maxlength]="maxNameLength"
              data-testid="token-name"
            />
            <mat-hint>What it is for, e.g. nightly build</mat-hint>
            @if (form.controls.name.invalid) {
              <mat-error>Give it a name of up to {{ maxNameLength }} characters</mat-error>
            }
          </mat-form-field>
          <p id="scope-label" class="field-label">It may</p>
          <mat-radio-group formControlName="scope" aria-labelledby="scope-label" class="scopes">
            @for (s of scopes(); track s) {
              <mat-radio-button [value]="s" [attr.data-testid]="'scope-' + s">{{
                scopeLabels[s]
              }}</mat-radio-button>
            }
          </mat-radio-group>
          <mat-form-field>
            <mat-label>Expires after</mat-label>
            <mat-select formControlName="expiresInDays">
              @for (l of lifetimes; track l.days) {
                <mat-option [value]="l.days">{{ l.label }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
        </mat-dialog-content>
        <mat-dialog-actions align="end">
          <button mat-button type="button" mat-dialog-close>Cancel</button>
          <button mat-flat-button type="submit" [disabled]="busy()" data-testid="create-api-token">
            Create token
          </button>
        </mat-dialog-actions>
      </form>
    }
  `,
  styles: `
    .secret {
      display: flex;
      align-items: center;
      gap: 8px;
      code {
        word-break: break-all;
      }
    }
    .warn {
      display: flex;
      gap: 8px;
      align-items: center;
      color: var(--mat-sys-on-surface-variant);
    }
    .scopes {
      display: flex;
      flex-direction: column;
      margin-bottom: 16px;
    }
  `,
})
export class TokenCreateDialogComponent {
  private readonly tokens = inject(TokensService);
  private readonly auth = inject(AuthService);
  protected readonly scopeLabels = SCOPE_LABELS;
  protected readonly lifetimes = LIFETIMES;
  protected readonly maxNameLength = API_TOKEN_LIMITS.maxNameLength;
  /** Only what the user's role allows: the server refuses more anyway. */
  protected readonly scopes = computed(
    () => API_TOKEN_SCOPES_BY_ROLE[this.auth.user()?.role ?? 'member'],
  );
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.required, Validators.pattern(/\S/)]],
    scope: ['catalog:read' as ApiTokenScope],
    expiresInDays: [90 as number],
  });
  protected readonly loginCommand = `shoal login --server ${inject(DOCUMENT).location.origin} --token-stdin`;
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly created = signal<ApiTokenCreated | null>(null);

  protected create(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    this.busy.set(true);
    this.error.set(null);
    this.tokens
      .create({ name: v.name.trim(), scopes: [v.scope], expiresInDays: v.expiresInDays })
      .subscribe({
        next: (t) => {
          this.busy.set(false);
          this.created.set(t);
        },
        error: (err: unknown) => {
          this.busy.set(false);
          this.error.set(apiErrorMessage(err));
        },
      });
  }
}
