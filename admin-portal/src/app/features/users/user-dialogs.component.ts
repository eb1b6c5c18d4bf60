import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { UserRole, UserSummary } from '@shoal/contract';
import { PASSWORD_LENGTH, USERNAME_PATTERN, USERNAME_RULE } from '@shoal/contract/api';
import { apiErrorMessage } from '../../core/http/api-error';
import { UsersService } from './users.service';

/** Admin: create a user (POST /api/admin/users). Closes with the new user. */
@Component({
  selector: 'app-create-user-dialog',
  imports: [
    ReactiveFormsModule,
    MatDialogModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>New user</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="dialog-form">
        @if (error(); as e) {
          <p class="form-error" role="alert">{{ e }}</p>
        }
        <mat-form-field>
          <mat-label>Username</mat-label>
          <input
            matInput
            formControlName="username"
            autocomplete="off"
            required
            data-testid="new-username"
          />
          @if (form.controls.username.hasError('required')) {
            <mat-error>A username is required</mat-error>
          } @else if (form.controls.username.hasError('pattern')) {
            <mat-error data-testid="username-error">A username must {{ usernameRule }}</mat-error>
          }
        </mat-form-field>
        <mat-form-field>
          <mat-label>Initial password</mat-label>
          <input
            matInput
            type="password"
            formControlName="password"
            autocomplete="new-password"
            required
            data-testid="new-password"
          />
          <mat-hint>At least {{ minLength }} characters</mat-hint>
          @if (form.controls.password.invalid) {
            <mat-error>{{ minLength }} to {{ maxLength }} characters</mat-error>
          }
        </mat-form-field>
        <mat-form-field>
          <mat-label>Role</mat-label>
          <mat-select formControlName="role">
            <mat-option value="member">Member</mat-option>
            <mat-option value="admin">Admin</mat-option>
          </mat-select>
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="busy()" data-testid="create-user">
          Create user
        </button>
      </mat-dialog-actions>
    </form>
  `,
})
export class CreateUserDialogComponent {
  private readonly users = inject(UsersService);
  private readonly ref = inject<MatDialogRef<CreateUserDialogComponent, UserSummary>>(MatDialogRef);
  protected readonly minLength = PASSWORD_LENGTH.min;
  protected readonly maxLength = PASSWORD_LENGTH.max;
  protected readonly usernameRule = USERNAME_RULE;
  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', [Validators.required, Validators.pattern(USERNAME_PATTERN)]],
    password: [
      '',
      [
        Validators.required,
        Validators.minLength(PASSWORD_LENGTH.min),
        Validators.maxLength(PASSWORD_LENGTH.max),
      ],
    ],
    role: ['member' as UserRole],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected save(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    this.busy.set(true);
    this.error.set(null);
    this.users
      .create({ username: v.username.trim(), password: v.password, role: v.role })
      .subscribe({
        next: (user) => this.ref.close(user),
        error: (err: unknown) => {
          this.busy.set(false);
          this.error.set(apiErrorMessage(err));
        },
      });
  }
}

/** Admin: set a new password for a user (POST /api/admin/users/:id/password). Closes with true. */
@Component({
  selector: 'app-reset-password-dialog',
  imports: [
    ReactiveFormsModule,
    MatDialogModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>Reset password for {{ user.username }}</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="dialog-form">
        @if (error(); as e) {
          <p class="form-error" role="alert">{{ e }}</p>
        }
        <mat-form-field>
          <mat-label>New password</mat-label>
          <input
            matInput
            type="password"
            formControlName="password"
            autocomplete="new-password"
            required
          />
          <mat-hint
            >At least {{ minLength }} characters. Tell the user through a safe channel.</mat-hint
          >
          @if (form.controls.password.invalid) {
            <mat-error>{{ minLength }} to {{ maxLength }} characters</mat-error>
          }
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="busy()">Set password</button>
      </mat-dialog-actions>
    </form>
  `,
})
export class ResetPasswordDialogComponent {
  private readonly users = inject(UsersService);
  private readonly ref = inject<MatDialogRef<ResetPasswordDialogComponent, boolean>>(MatDialogRef);
  protected readonly user = inject<UserSummary>(MAT_DIALOG_DATA);
  protected readonly minLength = PASSWORD_LENGTH.min;
  protected readonly maxLength = PASSWORD_LENGTH.max;
  protected readonly form = inject(NonNullableFormBuilder).group({
    password: [
      '',
      [
        Validators.required,
        Validators.minLength(PASSWORD_LENGTH.min),
        Validators.maxLength(PASSWORD_LENGTH.max),
      ],
    ],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected save(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.users.setPassword(this.user.id, this.form.getRawValue().password).subscribe({
      next: () => this.ref.close(true),
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(apiErrorMessage(err));
      },
    });
  }
}
