import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { ActivatedRoute, Router } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { AuthService } from '../../core/auth/auth.service';
import { apiErrorMessage } from '../../core/http/api-error';

@Component({
  selector: 'app-login',
  imports: [
    ReactiveFormsModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './login.component.html',
  styleUrl: './login.component.scss',
})
export class LoginComponent {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly params = toSignal(inject(ActivatedRoute).queryParamMap);

  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', Validators.required],
    password: ['', Validators.required],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly hidePassword = signal(true);

  /** Single sign-on, when the server offers it: the button's label and where it goes. */
  protected readonly sso = signal<{ name: string; loginPath: string } | null>(null);

  constructor() {
    const query = this.params();
    if (query?.get('sso') === 'done') {
      this.finishSingleSignOn();
    } else if (this.auth.hasValidSession()) {
      // Already signed in (a bookmarked /login): go straight on.
      void this.router.navigateByUrl(this.safeReturnUrl());
    }
    const ssoError = query?.get('sso_error');
    if (ssoError) this.error.set(ssoErrorMessage(ssoError));
    this.auth.providers().subscribe({
      next: (p) => this.sso.set(p.oidc),
      error: () => this.sso.set(null),
    });
  }

  private finishSingleSignOn(): void {
    this.busy.set(true);
    this.auth.completeSingleSignOn().subscribe({
      next: () => {
        this.busy.set(false);
        void this.router.navigateByUrl('/resources');
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(apiErrorMessage(err, 'Single sign-on did not finish. Please try again.'));
      },
    });
  }

  /** Why the user landed here: an expired session or a logout. */
  protected readonly notice = computed(() => {
    switch (this.params()?.get('reason')) {
      case 'expired':
        return 'Your session has expired. Please sign in again.';
      case 'logged-out':
        return 'You have been signed out.';
      case 'everywhere':
        return 'You have been signed out everywhere.';
      default:
        return null;
    }
  });

  protected submit(): void {
    if (this.form.invalid || this.busy()) {
      this.form.markAllAsTouched();
      return;
    }
    const { username, password } = this.form.getRawValue();
    this.busy.set(true);
    this.error.set(null);
    this.auth.login(username.trim(), password).subscribe({
      next: () => {
        this.busy.set(false);
        void this.router.navigateByUrl(this.safeReturnUrl());
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(apiErrorMessage(err, 'Sign-in failed.'));
      },
    });
  }

  /** Only same-site paths, never back to /login itself. */
  private safeReturnUrl(): string {
    const url = this.params()?.get('returnUrl') ?? '';
    return url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/login')
      ? url
      : '/resources';
  }
}

/** What a failed single sign-on tells the user (the codes the server's callback sends back). */
function ssoErrorMessage(code: string): string {
  switch (code) {
    case 'sso_user_disabled':
      return 'Your Shoal account is disabled. Ask an administrator.';
    case 'sso_username_taken':
      return 'Your user name is already used by another Shoal account. Ask an administrator.';
    case 'sso_bad_username':
      return 'Your identity provider gave a user name Shoal cannot use. Ask an administrator.';
    case 'sso_unavailable':
      return 'The identity provider cannot be reached right now. Try again later.';
    case 'sso_expired':
      return 'The sign-in took too long. Please try again.';
    default:
      return 'Single sign-on was refused. Please try again.';
  }
}
