import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { DatePipe } from '@angular/common';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialogModule } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { EnrollmentTokenResponse, NodeRole } from '@shoal/contract';
import { LIMITS, TOKEN_LIFETIMES } from '@shoal/contract/limits';
import { apiErrorMessage } from '../../core/http/api-error';
import { AgentInstallComponent } from '../../shared/agent-install.component';
import { CommandLineComponent } from '../../shared/command-line.component';
import { NodesService } from './nodes.service';

const LIFETIME_CHOICES = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86400, label: '24 hours' },
  { seconds: 7 * 86400, label: '7 days' },
  // The longest the server allows: a fleet rolled out over weeks.
  { seconds: TOKEN_LIFETIMES.enrollmentTokenMaxSeconds, label: '30 days' },
] as const;

/**
 * "Add seed server": creates an enrollment token, for one machine or a fleet of up to
 * LIMITS.enrollmentTokenMaxUses, and shows how to get the agent and the enroll command
 * exactly once (the server does not keep the token in a form it can show again).
 */
@Component({
  selector: 'app-enrollment-dialog',
  imports: [
    DatePipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    AgentInstallComponent,
    CommandLineComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>Add a seed server</h2>
    @if (created(); as t) {
      <mat-dialog-content>
        <app-agent-install [login]="false" />
        <p>
          Then paste this on
          {{ t.maxUses === 1 ? 'the new machine' : 'each new machine (up to ' + t.maxUses + ')' }}.
          It enrolls the agent with this server{{
            t.maxUses === 1 ? '' : ', each machine with its own key'
          }}.
        </p>
        <app-command-line
          [command]="t.enrollCommand"
          copyLabel="Copy the enroll command"
          testId="enroll-command"
        />
        <p class="warn" role="note">
          <mat-icon aria-hidden="true">warning</mat-icon>
          This command is shown only once. It works until
          {{ t.expiresAt | date: 'd MMM y, HH:mm'
          }}{{ t.maxUses === 1 ? ', for one machine' : ', for ' + t.maxUses + ' machines' }}.
        </p>
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
            <mat-label>Role</mat-label>
            <mat-select formControlName="role">
              <mat-option value="seed">Seed server</mat-option>
              <mat-option value="client">Client</mat-option>
            </mat-select>
          </mat-form-field>
          <mat-form-field>
            <mat-label>Site (optional)</mat-label>
            <input
              matInput
              formControlName="site"
              [maxlength]="maxSiteLength"
              data-testid="enroll-site"
            />
            <mat-hint>Letters, digits, dot, dash, underscore — e.g. paris-dc1</mat-hint>
            @if (form.controls.site.hasError('pattern')) {
              <mat-error>Use letters, digits, dot, dash or underscore</mat-error>
            }
          </mat-form-field>
          <mat-form-field>
            <mat-label>Machines it enrolls</mat-label>
            <input
              matInput
              type="number"
              formControlName="maxUses"
              [min]="1"
              [max]="maxUses"
              data-testid="enroll-max-uses"
            />
            <mat-hint>1 for one machine; up to {{ maxUses }} for a fleet of seed servers</mat-hint>
            @if (form.controls.maxUses.invalid) {
              <mat-error>A whole number from 1 to {{ maxUses }}</mat-error>
            }
          </mat-form-field>
          <mat-form-field>
            <mat-label>Token valid for</mat-label>
            <mat-select formControlName="ttlSeconds">
              @for (l of lifetimes; track l.seconds) {
                <mat-option [value]="l.seconds">{{ l.label }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
        </mat-dialog-content>
        <mat-dialog-actions align="end">
          <button mat-button type="button" mat-dialog-close>Cancel</button>
          <button mat-flat-button type="submit" [disabled]="busy()" data-testid="create-token">
            Create enroll command
          </button>
        </mat-dialog-actions>
      </form>
    }
  `,
  styles: `
    .warn {
      display: flex;
      gap: 8px;
      align-items: center;
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class EnrollmentDialogComponent {
  private readonly nodes = inject(NodesService);
  protected readonly lifetimes = LIFETIME_CHOICES;
  protected readonly maxUses = LIMITS.enrollmentTokenMaxUses;
  protected readonly maxSiteLength = LIMITS.maxSiteLength;
  protected readonly form = inject(NonNullableFormBuilder).group({
    role: ['seed' as NodeRole],
    site: [
      '',
      [Validators.pattern(/^[A-Za-z0-9._-]*$/), Validators.maxLength(LIMITS.maxSiteLength)],
    ],
    ttlSeconds: [86400 as number],
    maxUses: [
      1,
      [
        Validators.required,
        Validators.min(1),
        Validators.max(LIMITS.enrollmentTokenMaxUses),
        Validators.pattern(/^[0-9]+$/),
      ],
    ],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly created = signal<EnrollmentTokenResponse | null>(null);

  protected create(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    this.busy.set(true);
    this.error.set(null);
    this.nodes
      .createEnrollmentToken({
        role: v.role,
        ttlSeconds: v.ttlSeconds,
        maxUses: Number(v.maxUses),
        ...(v.site.trim() ? { site: v.site.trim() } : {}),
      })
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
