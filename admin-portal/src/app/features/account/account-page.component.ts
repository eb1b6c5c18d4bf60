import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import {
  AbstractControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  ValidationErrors,
  Validators,
} from '@angular/forms';
import { MatDialog } from '@angular/material/dialog';
import { Router, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSnackBar } from '@angular/material/snack-bar';
import { filter, switchMap } from 'rxjs';
import { PASSWORD_LENGTH } from '@shoal/contract/api';
import { AuthService } from '../../core/auth/auth.service';
import { apiErrorMessage } from '../../core/http/api-error';
import { confirmAction } from '../../shared/confirm-dialog.component';

/** The two new-password fields must agree. */
function sameNewPassword(group: AbstractControl): ValidationErrors | null {
  const v = group.value as { newPassword?: string; confirm?: string };
  return v.confirm && v.newPassword !== v.confirm ? { mismatch: true } : null;
}

/**
 * Every signed-in user's own account: change the password (their other sessions end),
 * sign out everywhere, and the way to their API tokens.
 */
@Component({
  selector: 'app-account-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-header">
        <h1>Account</h1>
      </div>
      <p class="muted">
        Signed in as <strong>{{ auth.user()?.username }}</strong> ({{ auth.user()?.role }}).
      </p>
      <mat-card appearance="outlined" class="section">
        <mat-card-header><mat-card-title>Change your password</mat-card-title></mat-card-header>
        <mat-card-content>
          <form [formGroup]="form" (ngSubmit)="changePassword()" novalidate class="password-form">
            @if (error(); as e) {
              <p class="form-error" role="alert" data-testid="password-error">{{ e }}</p>
            }
            <mat-form-field>
              <mat-label>Current password</mat-label>
              <input
                matInput
                type="password"
                formControlName="currentPassword"
                autocomplete="current-password"
                data-testid="current-password"
              />
              @if (form.controls.currentPassword.invalid) {
                <mat-error>Enter your current password</mat-error>
              }
            </mat-form-field>
            <mat-form-field>
              <mat-label>New password</mat-label>
              <input
                matInput
                type="password"
                formControlName="newPassword"
                autocomplete="new-password"
                data-testid="new-password"
              />
              <mat-hint>{{ minLength }} to {{ maxLength }} characters</mat-hint>
              @if (form.controls.newPassword.invalid) {
                <mat-error>{{ minLength }} to {{ maxLength }} characters</mat-error>
              }
            </mat-form-field>
            <mat-form-field>
              <mat-label>New password again</mat-label>
              <input
                matInput
                type="password"
                formControlName="confirm"
                autocomplete="new-password"
                data-testid="confirm-password"
              />
            </mat-form-field>
            @if (form.hasError('mismatch') && form.controls.confirm.touched) {
              <p class="form-error" role="alert">The two new passwords differ</p>
            }
            <p class="muted">Your other sessions are signed out; this one stays.</p>
            <div>
              <button
                mat-flat-button
                type="submit"
                [disabled]="busy()"
                data-testid="change-password"
              >
                Change password
              </button>
            </div>
          </form>
        </mat-card-content>
      </mat-card>
      <mat-card appearance="outlined" class="section">
        <mat-card-header><mat-card-title>Sessions</mat-card-title></mat-card-header>
        <mat-card-content>
          <p>
            Signed in on a computer you no longer have, or left signed in somewhere? Sign out
            everywhere ends every session of yours, this one too. Your
            <a routerLink="/tokens">API tokens</a> keep working: revoke those under My tokens.
          </p>
          <button
            mat-stroked-button
            type="button"
            (click)="signOutEverywhere()"
            data-testid="sign-out-everywhere"
          >
            <mat-icon>logout</mat-icon> Sign out everywhere
          </button>
        </mat-card-content>
      </mat-card>
    </div>
  `,
  styles: `
    .section {
      margin-bottom: 16px;
      max-width: 640px;
    }
    .password-form {
      margin-top: 16px;
      display: flex;
      flex-direction: column;
      gap: 4px;
      max-width: 400px;
    }
  `,
})
export class AccountPageComponent {
  protected readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly minLength = PASSWORD_LENGTH.min;
  protected readonly maxLength = PASSWORD_LENGTH.max;
  protected readonly form = inject(NonNullableFormBuilder).group(
    {
      currentPassword: ['', [Validators.required, Validators.maxLength(PASSWORD_LENGTH.max)]],
      newPassword: [
        '',
        [
          Validators.required,
          Validators.minLength(PASSWORD_LENGTH.min),
          Validators.maxLength(PASSWORD_LENGTH.max),
        ],
      ],
      confirm: ['', [Validators.required]],
    },
    { validators: sameNewPassword },
  );
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected changePassword(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    this.busy.set(true);
    this.error.set(null);
    this.auth.changePassword(v.currentPassword, v.newPassword).subscribe({
      next: () => {
        this.busy.set(false);
        this.form.reset();
        this.snack.open('Password changed; your other sessions are signed out', undefined, {
          duration: 4000,
        });
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(apiErrorMessage(err));
      },
    });
  }

  protected signOutEverywhere(): void {
    confirmAction(this.dialog, {
      title: 'Sign out everywhere?',
      message:
        'Every session of yours ends, on every computer, this one too. You sign in again with your password.',
      confirmLabel: 'Sign out everywhere',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.auth.signOutEverywhere()),
      )
      .subscribe({
        next: () =>
          void this.router.navigate(['/login'], { queryParams: { reason: 'everywhere' } }),
        error: (err: unknown) =>
          this.snack.open(`Sign out everywhere failed: ${apiErrorMessage(err)}`, 'Dismiss'),
      });
  }
}
