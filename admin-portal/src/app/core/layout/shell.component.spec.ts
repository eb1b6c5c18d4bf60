import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { ShellComponent } from './shell.component';
import { AuthService, SESSION_REFRESH_LEAD_MS, SESSION_STORAGE } from '../auth/auth.service';
import { makeLogin, makeSession, makeUser, signedIn, sleep } from '../../../testing/fixtures';

@Component({ template: 'content', changeDetection: ChangeDetectionStrategy.OnPush })
class PageStub {}

describe('ShellComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;
  let storage: Storage;

  async function open(
    role: 'admin' | 'member',
    url = '/resources',
    serverRole = role,
    expiresAt = new Date(Date.now() + 15 * 60_000).toISOString(),
    refreshLeadMs = 60_000,
  ) {
    const user = makeUser({ role, username: role === 'admin' ? 'alice' : 'bob' });
    storage = signedIn(makeSession({ user, expiresAt }));
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'login', component: PageStub },
          { path: '', component: ShellComponent, children: [{ path: '**', component: PageStub }] },
        ]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: storage },
        { provide: SESSION_REFRESH_LEAD_MS, useValue: refreshLeadMs },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url);
    harness.detectChanges();
    http.expectOne('/api/auth/me').flush({ ...user, role: serverRole });
    harness.detectChanges();
    await harness.fixture.whenStable();
  }

  const links = () =>
    [
      ...(harness.fixture.nativeElement as HTMLElement).querySelectorAll(
        'nav a [matListItemTitle]',
      ),
    ].map((a) => a.textContent!.trim());

  afterEach(() => http.verify());

  it('shows members only the catalog, their downloads and their own tokens', async () => {
    await open('member');
    expect(links()).toEqual(['Resources', 'My downloads', 'My tokens', 'Account']);
  });

  it('shows admins every page', async () => {
    await open('admin');
    expect(links()).toEqual([
      'Resources',
      'Publish',
      'Nodes',
      'Preheat',
      'Users',
      'Dashboard',
      'Audit log',
      'My downloads',
      'My tokens',
      'Account',
    ]);
  });

  it('logs out back to the login page', async () => {
    await open('member');
    (
      (harness.fixture.nativeElement as HTMLElement).querySelector(
        '[data-testid=logout]',
      ) as HTMLButtonElement
    ).click();
    await harness.fixture.whenStable();
    expect(TestBed.inject(AuthService).isLoggedIn()).toBe(false);
    expect(TestBed.inject(Router).url).toBe('/login?reason=logged-out');
  });

  it('leaves an admin page when the server says the role was taken away', async () => {
    await open('admin', '/nodes', 'member');
    expect(links()).toEqual(['Resources', 'My downloads', 'My tokens', 'Account']);
    expect(TestBed.inject(Router).url).toBe('/forbidden');
  });

  it('sends the user to login when the token runs out and cannot be refreshed, even without a click', async () => {
    await open('member', '/resources?q=x', 'member', new Date(Date.now() + 300).toISOString());
    expect(TestBed.inject(Router).url).toBe('/resources?q=x');
    // Less than the lead time left: it tries to refresh at once; the server cannot.
    await sleep(0);
    http
      .expectOne('/api/auth/refresh')
      .flush({ message: 'Not Found' }, { status: 404, statusText: 'Not Found' });
    await harness.fixture.whenStable();
    expect(TestBed.inject(AuthService).isLoggedIn()).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    await harness.fixture.whenStable();
    expect(TestBed.inject(AuthService).isLoggedIn()).toBe(false);
    expect(TestBed.inject(Router).url).toBe('/login?reason=expired&returnUrl=%2Fresources%3Fq%3Dx');
  });

  it('follows a sign-out in another tab', async () => {
    await open('member');
    storage.removeItem('shoal.session');
    window.dispatchEvent(new StorageEvent('storage', { key: 'shoal.session', newValue: null }));
    await harness.fixture.whenStable();
    expect(TestBed.inject(AuthService).isLoggedIn()).toBe(false);
    expect(TestBed.inject(Router).url).toBe('/login?reason=logged-out');
  });

  it('refreshes the token shortly before it runs out and stays signed in', async () => {
    const expiresAt = new Date(Date.now() + 400).toISOString();
    await open('member', '/resources?q=x', 'member', expiresAt, 300);
    const auth = TestBed.inject(AuthService);
    http.expectNone('/api/auth/refresh');

    await sleep(150);
    const req = http.expectOne('/api/auth/refresh');
    expect(req.request.method).toBe('POST');
    const fresh = makeLogin({
      accessToken: 'token-fresh',
      expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      user: makeUser({ role: 'member', username: 'bob' }),
    });
    req.flush(fresh);
    await harness.fixture.whenStable();
    expect(auth.token()).toBe('token-fresh');
    expect(JSON.parse(storage.getItem('shoal.session')!).expiresAt).toBe(fresh.expiresAt);

    // Past the old expiry: still signed in, still on the page, no further refresh yet.
    await sleep(400);
    await harness.fixture.whenStable();
    expect(auth.isLoggedIn()).toBe(true);
    expect(TestBed.inject(Router).url).toBe('/resources?q=x');
    http.expectNone('/api/auth/refresh');
  });

  it('keeps refreshing while the app stays open', async () => {
    await open('member', '/resources', 'member', new Date(Date.now() + 250).toISOString(), 200);
    for (const token of ['token-2', 'token-3']) {
      await sleep(100);
      http.expectOne('/api/auth/refresh').flush(
        makeLogin({
          accessToken: token,
          expiresAt: new Date(Date.now() + 250).toISOString(),
          user: makeUser({ role: 'member', username: 'bob' }),
        }),
      );
      await harness.fixture.whenStable();
      expect(TestBed.inject(AuthService).token()).toBe(token);
    }
    TestBed.inject(AuthService).logout();
    await harness.fixture.whenStable();
    await sleep(300);
    http.expectNone('/api/auth/refresh');
  });
});
