import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { AuthService, SESSION_STORAGE } from './auth.service';
import {
  MemoryStorage,
  makeLogin,
  makeSession,
  makeUser,
  signedIn,
} from '../../../testing/fixtures';

describe('AuthService', () => {
  function setup(storage: Storage = new MemoryStorage()) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: storage },
      ],
    });
    return {
      auth: TestBed.inject(AuthService),
      http: TestBed.inject(HttpTestingController),
      storage,
    };
  }

  afterEach(() => TestBed.inject(HttpTestingController).verify());

  it('logs in with POST /api/auth/login and keeps the token, expiry and user', () => {
    const { auth, http, storage } = setup();
    let user: unknown;
    auth.login('alice', 's3cret').subscribe((u) => (user = u));

    const req = http.expectOne('/api/auth/login');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ username: 'alice', password: 's3cret' });
    const res = makeLogin({ user: makeUser({ role: 'member', username: 'alice' }) });
    req.flush(res);

    expect(user).toEqual(res.user);
    expect(auth.token()).toBe(res.accessToken);
    expect(auth.isLoggedIn()).toBe(true);
    expect(auth.isAdmin()).toBe(false);
    expect(JSON.parse(storage.getItem('shoal.session')!).accessToken).toBe(res.accessToken);
  });

  it('stays signed out when the login is refused', () => {
    const { auth, http } = setup();
    auth.login('alice', 'wrong').subscribe({ error: () => {} });
    http
      .expectOne('/api/auth/login')
      .flush(
        { statusCode: 401, code: 'unauthorized', message: 'Wrong username or password' },
        { status: 401, statusText: 'Unauthorized' },
      );
    expect(auth.isLoggedIn()).toBe(false);
    expect(auth.token()).toBeNull();
  });

  it('restores a stored session on start (a shared link opened in a new tab)', () => {
    const { auth } = setup(signedIn(makeSession({ user: makeUser({ role: 'admin' }) })));
    expect(auth.isLoggedIn()).toBe(true);
    expect(auth.isAdmin()).toBe(true);
  });

  it('ignores a corrupt stored session', () => {
    const storage = new MemoryStorage();
    storage.setItem('shoal.session', '{not json');
    const { auth } = setup(storage);
    expect(auth.isLoggedIn()).toBe(false);
  });

  it('knows when the token has expired', () => {
    const { auth } = setup(signedIn(makeSession({ expiresAt: '2026-01-01T00:00:00.000Z' })));
    expect(auth.hasValidSession(Date.parse('2025-12-31T23:59:00.000Z'))).toBe(true);
    expect(auth.hasValidSession(Date.parse('2026-01-01T00:00:01.000Z'))).toBe(false);
  });

  it('picks up a role change from GET /api/auth/me', () => {
    const { auth, http } = setup(signedIn(makeSession({ user: makeUser({ role: 'admin' }) })));
    auth.refreshUser().subscribe();
    http.expectOne('/api/auth/me').flush(makeUser({ role: 'member' }));
    expect(auth.isAdmin()).toBe(false);
    expect(auth.isLoggedIn()).toBe(true);
  });

  it('forgets everything on logout', () => {
    const storage = signedIn();
    const { auth } = setup(storage);
    auth.logout();
    expect(auth.isLoggedIn()).toBe(false);
    expect(storage.getItem('shoal.session')).toBeNull();
  });

  it('trades the token for a fresh one with POST /api/auth/refresh', () => {
    const { auth, http, storage } = setup(signedIn(makeSession({ accessToken: 'old-token' })));
    let user: unknown;
    auth.refreshSession().subscribe((u) => (user = u));
    const req = http.expectOne('/api/auth/refresh');
    expect(req.request.method).toBe('POST');
    const res = makeLogin({
      accessToken: 'new-token',
      expiresAt: '2030-01-01T00:00:00.000Z',
      user: makeUser({ role: 'member' }),
    });
    req.flush(res);
    expect(user).toEqual(res.user);
    expect(auth.token()).toBe('new-token');
    expect(auth.expiresAt()).toBe(Date.parse('2030-01-01T00:00:00.000Z'));
    expect(auth.isAdmin()).toBe(false);
    expect(JSON.parse(storage.getItem('shoal.session')!).accessToken).toBe('new-token');
  });

  it('keeps the session when a refresh is refused (the caller decides what happens)', () => {
    const { auth, http } = setup(signedIn(makeSession({ accessToken: 'old-token' })));
    let failed = false;
    auth.refreshSession().subscribe({ error: () => (failed = true) });
    http
      .expectOne('/api/auth/refresh')
      .flush({ message: 'the session is too old' }, { status: 401, statusText: 'Unauthorized' });
    expect(failed).toBe(true);
    expect(auth.token()).toBe('old-token');
  });

  it('does not sign back in when the user logged out while a refresh was out', () => {
    const { auth, http, storage } = setup(signedIn(makeSession()));
    auth.refreshSession().subscribe();
    const req = http.expectOne('/api/auth/refresh');
    auth.logout();
    req.flush(makeLogin({ accessToken: 'late-token' }));
    expect(auth.isLoggedIn()).toBe(false);
    expect(storage.getItem('shoal.session')).toBeNull();
  });
});
