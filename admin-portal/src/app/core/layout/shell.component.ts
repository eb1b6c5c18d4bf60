import { BreakpointObserver } from '@angular/cdk/layout';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  effect,
  inject,
} from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatSidenav, MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Subscription, map } from 'rxjs';
import { AuthService, SESSION_REFRESH_LEAD_MS } from '../auth/auth.service';

interface NavItem {
  path: string;
  label: string;
  icon: string;
  adminOnly: boolean;
}

const NAV: NavItem[] = [
  { path: '/resources', label: 'Resources', icon: 'folder_open', adminOnly: false },
  { path: '/publish', label: 'Publish', icon: 'upload_file', adminOnly: true },
  { path: '/nodes', label: 'Nodes', icon: 'dns', adminOnly: true },
  { path: '/preheat', label: 'Preheat', icon: 'local_fire_department', adminOnly: true },
  { path: '/users', label: 'Users', icon: 'group', adminOnly: true },
  { path: '/dashboard', label: 'Dashboard', icon: 'insights', adminOnly: true },
  { path: '/audit', label: 'Audit log', icon: 'history', adminOnly: true },
  { path: '/my-downloads', label: 'My downloads', icon: 'download_for_offline', adminOnly: false },
  { path: '/tokens', label: 'My tokens', icon: 'key', adminOnly: false },
  { path: '/account', label: 'Account', icon: 'manage_accounts', adminOnly: false },
];

/** setTimeout fires at once for delays past 2^31-1 ms; no session lasts that long anyway. */
function clampDelay(ms: number): number {
  return Math.min(Math.max(0, ms), 2_147_483_647);
}

/** The signed-in frame: toolbar, navigation (admin entries only for admins), content. */
@Component({
  selector: 'app-shell',
  imports: [
    RouterOutlet,
    RouterLink,
    RouterLinkActive,
    MatToolbarModule,
    MatSidenavModule,
    MatListModule,
    MatIconModule,
    MatButtonModule,
    MatTooltipModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './shell.component.html',
  styleUrl: './shell.component.scss',
})
export class ShellComponent {
  protected readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly refreshLeadMs = inject(SESSION_REFRESH_LEAD_MS);

  /** Below 960 px the navigation becomes a drawer opened from the menu button. */
  protected readonly narrow = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 959.98px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );

  protected readonly nav = computed(() =>
    NAV.filter((item) => !item.adminOnly || this.auth.isAdmin()),
  );

  constructor() {
    // Shortly before the token runs out, trade it for a fresh one, so someone using the
    // app is not sent back to login every 15 minutes. If that fails (the session is over,
    // or the server cannot refresh), say "session expired" when the token runs out, at
    // once rather than on the next click. A new expiry reschedules both.
    effect((onCleanup) => {
      const expiresAt = this.auth.expiresAt();
      if (expiresAt === null) return;
      const now = Date.now();
      const expireTimer = setTimeout(() => this.expire(), clampDelay(expiresAt - now));
      let refresh: Subscription | undefined;
      const refreshTimer = setTimeout(
        () => (refresh = this.auth.refreshSession().subscribe({ error: () => {} })),
        clampDelay(expiresAt - this.refreshLeadMs - now),
      );
      onCleanup(() => {
        clearTimeout(expireTimer);
        clearTimeout(refreshTimer);
        refresh?.unsubscribe();
      });
    });

    this.auth.signedOutElsewhere
      .pipe(takeUntilDestroyed())
      .subscribe(
        () => void this.router.navigate(['/login'], { queryParams: { reason: 'logged-out' } }),
      );

    // The role may have changed since login; the server's answer wins.
    this.auth
      .refreshUser()
      .pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe({
        next: () => {
          const path = this.router.url.split(/[?#]/)[0];
          const adminPage = NAV.some((item) => item.adminOnly && path.startsWith(item.path));
          if (adminPage && !this.auth.isAdmin()) void this.router.navigate(['/forbidden']);
        },
        error: () => {},
      });
  }

  protected navigated(sidenav: MatSidenav): void {
    if (this.narrow()) void sidenav.close();
  }

  private expire(): void {
    const returnUrl = this.router.url;
    this.auth.logout();
    void this.router.navigate(['/login'], { queryParams: { reason: 'expired', returnUrl } });
  }

  protected logout(): void {
    this.auth.logout();
    void this.router.navigate(['/login'], { queryParams: { reason: 'logged-out' } });
  }
}
