import { HttpClient } from '@angular/common/http';
import { DestroyRef, Injectable, InjectionToken, computed, inject, signal } from '@angular/core';
import { DOCUMENT } from '@angular/common';
import { Observable, Subject, map, tap } from 'rxjs';
import type { AuthProviders, LoginResponse, UserSummary } from '@shoal/contract';

/** Where the session is kept between page loads (a shared link opens in a new tab). */
export const SESSION_STORAGE = new InjectionToken<Storage | null>('SESSION_STORAGE', {
  providedIn: 'root',
  factory: () => (typeof localStorage === 'undefined' ? null : localStorage),
});

const STORAGE_KEY = 'shoal.session';

/** How long before the access token runs out the open app asks for a fresh one. */
export const SESSION_REFRESH_LEAD_MS = new InjectionToken<number>('SESSION_REFRESH_LEAD_MS', {
  providedIn: 'root',
  factory: () => 60_000,
});

export interface Session {
  accessToken: string;
  expiresAt: string;
  user: UserSummary;
}

/**
 * The signed-in user's session: the access token from POST /api/auth/login, its expiry and
 * the user (role decides which pages are shown; the server enforces it anyway).
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly storage = inject(SESSION_STORAGE);
  private readonly session = signal<Session | null>(this.restore());

  readonly user = computed(() => this.session()?.user ?? null);
  readonly token = computed(() => this.session()?.accessToken ?? null);
  readonly isLoggedIn = computed(() => this.session() !== null);
  readonly isAdmin = computed(() => this.session()?.user.role === 'admin');
  /** When the access token stops working (ms since epoch), or null when signed out. */
  readonly expiresAt = computed(() => {
    const s = this.session();
    if (!s) return null;
    const t = Date.parse(s.expiresAt);
    return Number.isNaN(t) ? null : t;
  });

  /** Emits when another tab signed out (the stored session disappeared). */
  readonly signedOutElsewhere = new Subject<void>();

  constructor() {
    // Another tab signing in or out changes the stored session: follow it.
    const win = inject(DOCUMENT).defaultView;
    const onStorage = (event: StorageEvent) => {
      if (event.key !== STORAGE_KEY && event.key !== null) return;
      const wasSignedIn = this.session() !== null;
      this.session.set(this.restore());
      if (wasSignedIn && this.session() === null) this.signedOutElsewhere.next();
    };
    win?.addEventListener('storage', onStorage);
    inject(DestroyRef).onDestroy(() => win?.removeEventListener('storage', onStorage));
  }

  login(username: string, password: string): Observable<UserSummary> {
    return this.http.post<LoginResponse>('/api/auth/login', { username, password }).pipe(
      tap((res) =>
        this.save({ accessToken: res.accessToken, expiresAt: res.expiresAt, user: res.user }),
      ),
      map((res) => res.user),
    );
  }

  /** The sign-in methods the server offers besides the password form (GET /api/auth/providers). */
  providers(): Observable<AuthProviders> {
    return this.http.get<AuthProviders>('/api/auth/providers');
  }

  /**
   * Back from the identity provider: the server left a short-lived HttpOnly cookie, which
   * POST /api/auth/oidc/session trades for the same session a password login gives.
   */
  completeSingleSignOn(): Observable<UserSummary> {
    return this.http.post<LoginResponse>('/api/auth/oidc/session', {}).pipe(
      tap((res) =>
        this.save({ accessToken: res.accessToken, expiresAt: res.expiresAt, user: res.user }),
      ),
      map((res) => res.user),
    );
  }

  /**
   * Trades the current token for a fresh one (POST /api/auth/refresh). The server answers
   * while the user is still active and signed in with a password less than 12 h ago, and
   * 401 otherwise (which the interceptor turns into "session expired").
   */
  refreshSession(): Observable<UserSummary> {
    return this.http.post<LoginResponse>('/api/auth/refresh', {}).pipe(
      tap((res) => {
        // Signed out (here or in another tab) while the request was out: stay signed out.
        if (!this.session()) return;
        this.save({ accessToken: res.accessToken, expiresAt: res.expiresAt, user: res.user });
      }),
      map((res) => res.user),
    );
  }

  /**
   * Changes the signed-in user's own password (PATCH /api/me/password). The server ends
   * every other session and answers this one a fresh token, kept here.
   */
  changePassword(currentPassword: string, newPassword: string): Observable<UserSummary> {
    return this.http
      .patch<LoginResponse>('/api/me/password', { currentPassword, newPassword })
      .pipe(
        tap((res) =>
          this.save({ accessToken: res.accessToken, expiresAt: res.expiresAt, user: res.user }),
        ),
        map((res) => res.user),
      );
  }

  /** Ends every session of the user on the server (this one too), then here. */
  signOutEverywhere(): Observable<void> {
    return this.http.post<void>('/api/me/sign-out-everywhere', {}).pipe(tap(() => this.logout()));
  }

  /** Re-reads the user from GET /api/auth/me (a role may have changed since login). */
  refreshUser(): Observable<UserSummary> {
    return this.http.get<UserSummary>('/api/auth/me').pipe(
      tap((user) => {
        const current = this.session();
        if (current) this.save({ ...current, user });
      }),
    );
  }

  /** True while a token is held and has not passed its expiry. */
  hasValidSession(now: number = Date.now()): boolean {
    const s = this.session();
    if (!s) return false;
    const expires = Date.parse(s.expiresAt);
    return Number.isNaN(expires) || expires > now;
  }

  logout(): void {
    this.session.set(null);
    this.storage?.removeItem(STORAGE_KEY);
  }

  private save(session: Session): void {
    this.session.set(session);
    this.storage?.setItem(STORAGE_KEY, JSON.stringify(session));
  }

  private restore(): Session | null {
    try {
      const raw = this.storage?.getItem(STORAGE_KEY);
      if (!raw) return null;
      const s = JSON.parse(raw) as Partial<Session>;
      if (typeof s.accessToken !== 'string' || typeof s.expiresAt !== 'string' || !s.user)
        return null;
      return s as Session;
    } catch {
      return null;
    }
  }
}
