import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { LoginComponent } from './login.component';
import { AuthService, SESSION_STORAGE } from '../../core/auth/auth.service';
import { MemoryStorage, makeLogin, signedIn } from '../../../testing/fixtures';

@Component({ template: 'page', changeDetection: ChangeDetectionStrategy.OnPush })
class PageStub {}

describe('LoginComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  async function open(url: string, storage: Storage = new MemoryStorage()) {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'login', component: LoginComponent },
          { path: '**', component: PageStub },
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
  }

  const el = () => harness.routeNativeElement!;
  function fill(username: string, password: string) {
    const u = el().querySelector('input[name=username]') as HTMLInputElement;
    const p = el().querySelector('input[name=password]') as HTMLInputElement;
    u.value = username;
    u.dispatchEvent(new Event('input'));
    p.value = password;
    p.dispatchEvent(new Event('input'));
    (el().querySelector('button[type=submit]') as HTMLButtonElement).click();
  }
  async function settle() {
    harness.detectChanges();
    await harness.fixture.whenStable();
    harness.detectChanges();
  }

  afterEach(() => {
    // Every open asks which sign-in methods there are; tests about the form answer "none".
    for (const req of http.match('/api/auth/providers')) req.flush({ oidc: null });
    http.verify();
  });

  it('tells the user their session expired', async () => {
    await open('/login?reason=expired&returnUrl=%2Fnodes');
    expect(el().querySelector('[data-testid=login-notice]')!.textContent).toContain(
      'Your session has expired',
    );
  });

  it('signs in and goes back where the user was going', async () => {
    await open('/login?reason=expired&returnUrl=%2Fresources%3Fq%3Dubuntu');
    fill(' alice ', 'pw');
    const req = http.expectOne('/api/auth/login');
    expect(req.request.body).toEqual({ username: 'alice', password: 'pw' });
    req.flush(makeLogin());
    await settle();
    expect(TestBed.inject(Router).url).toBe('/resources?q=ubuntu');
    expect(TestBed.inject(AuthService).isLoggedIn()).toBe(true);
  });

  it('never follows a return URL off the site', async () => {
    await open('/login?returnUrl=%2F%2Fevil.example%2Fx');
    fill('alice', 'pw');
    http.expectOne('/api/auth/login').flush(makeLogin());
    await settle();
    expect(TestBed.inject(Router).url).toBe('/resources');
  });

  it("shows the server's message for a wrong password", async () => {
    await open('/login');
    fill('alice', 'nope');
    http
      .expectOne('/api/auth/login')
      .flush(
        { statusCode: 401, code: 'unauthorized', message: 'Wrong username or password' },
        { status: 401, statusText: 'Unauthorized' },
      );
    await settle();
    expect(el().querySelector('[data-testid=login-error]')!.textContent).toContain(
      'Wrong username or password',
    );
    expect(TestBed.inject(Router).url).toBe('/login');
  });

  it('does not call the server with empty fields', async () => {
    await open('/login');
    fill('', '');
    http.expectNone('/api/auth/login');
  });

  it('sends a signed-in user straight on', async () => {
    await open('/login?returnUrl=%2Fnodes', signedIn());
    await settle();
    expect(TestBed.inject(Router).url).toBe('/nodes');
  });

  it('offers single sign-on when the server has it, linking to where it starts', async () => {
    await open('/login');
    http.expectOne('/api/auth/providers').flush({
      oidc: { name: 'Example IdP', loginPath: '/api/auth/oidc/login' },
    });
    await settle();
    const link = el().querySelector('[data-testid=sso-button]') as HTMLAnchorElement;
    expect(link.textContent).toContain('Sign in with Example IdP');
    expect(link.getAttribute('href')).toBe('/api/auth/oidc/login');
  });

  it('shows no single sign-on button when the server has none', async () => {
    await open('/login');
    http.expectOne('/api/auth/providers').flush({ oidc: null });
    await settle();
    expect(el().querySelector('[data-testid=sso-button]')).toBeNull();
  });

  it('back from the IdP, trades the handoff for a session and goes on', async () => {
    await open('/login?sso=done');
    http.expectOne('/api/auth/oidc/session').flush(makeLogin());
    await settle();
    expect(TestBed.inject(AuthService).isLoggedIn()).toBe(true);
    expect(TestBed.inject(Router).url).toBe('/resources');
  });

  it('says why single sign-on was refused', async () => {
    await open('/login?sso_error=sso_user_disabled');
    await settle();
    expect(el().querySelector('[data-testid=login-error]')!.textContent).toContain(
      'Your Shoal account is disabled',
    );
  });
});
