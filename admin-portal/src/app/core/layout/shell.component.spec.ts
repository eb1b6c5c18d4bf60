import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { Component } from '@angular/core';
import { ShellComponent } from './shell.component';
import { AuthService, SESSION_STORAGE } from '../auth/auth.service';
import { makeSession, makeUser, signedIn } from '../../../testing/fixtures';

@Component({ template: 'content' })
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

  it('shows members only the catalog', async () => {
    await open('member');
    expect(links()).toEqual(['Resources']);
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
    expect(links()).toEqual(['Resources']);
    expect(TestBed.inject(Router).url).toBe('/forbidden');
  });

  it('sends the user to login when the token runs out, even without a click', async () => {
    await open('member', '/resources?q=x', 'member', new Date(Date.now() + 300).toISOString());
    expect(TestBed.inject(Router).url).toBe('/resources?q=x');
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
});
