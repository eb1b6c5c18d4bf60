import { TestBed } from '@angular/core/testing';
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { OverlayContainer } from '@angular/cdk/overlay';
import { AuthService, SESSION_STORAGE } from '../../core/auth/auth.service';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import {
  MemoryStorage,
  makeLogin,
  makeSession,
  makeUser,
  signedIn,
  sleep,
} from '../../../testing/fixtures';
import { AccountPageComponent } from './account-page.component';

describe('AccountPageComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;
  let storage: MemoryStorage;

  async function open() {
    storage = signedIn(
      makeSession({ accessToken: 'old-token', user: makeUser({ username: 'bob' }) }),
    );
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'account', component: AccountPageComponent },
          { path: 'login', children: [] },
        ]),
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: storage },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/account', AccountPageComponent);
    harness.detectChanges();
  }
  async function settle() {
    harness.detectChanges();
    await harness.fixture.whenStable();
    harness.detectChanges();
    await sleep(0);
    harness.detectChanges();
  }
  const el = () => harness.routeNativeElement!;
  const overlay = () => TestBed.inject(OverlayContainer).getContainerElement();
  function type(testId: string, value: string) {
    const input = el().querySelector(`[data-testid=${testId}]`) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
    input.dispatchEvent(new Event('blur'));
  }

  afterEach(() => http.verify());

  it('changes the password and keeps this session with the fresh token the server answers', async () => {
    await open();
    type('current-password', 'old-password-1');
    type('new-password', 'new-password-2');
    type('confirm-password', 'new-password-2');
    (el().querySelector('[data-testid=change-password]') as HTMLButtonElement).click();
    await settle();
    const req = http.expectOne('/api/me/password');
    expect(req.request.method).toBe('PATCH');
    expect(req.request.body).toEqual({
      currentPassword: 'old-password-1',
      newPassword: 'new-password-2',
    });
    expect(req.request.headers.get('Authorization')).toBe('Bearer old-token');
    req.flush(makeLogin({ accessToken: 'fresh-token', user: makeUser({ username: 'bob' }) }));
    await settle();
    expect(TestBed.inject(AuthService).token()).toBe('fresh-token');
    expect(JSON.parse(storage.getItem('shoal.session')!).accessToken).toBe('fresh-token');
  });

  it('says why the server refused, and sends nothing when the new passwords differ', async () => {
    await open();
    type('current-password', 'old-password-1');
    type('new-password', 'new-password-2');
    type('confirm-password', 'new-password-3');
    (el().querySelector('[data-testid=change-password]') as HTMLButtonElement).click();
    await settle();
    http.expectNone('/api/me/password');
    expect(el().textContent).toContain('The two new passwords differ');

    type('confirm-password', 'new-password-2');
    (el().querySelector('[data-testid=change-password]') as HTMLButtonElement).click();
    await settle();
    http
      .expectOne('/api/me/password')
      .flush(
        { code: 'wrong_password', message: 'the current password is wrong' },
        { status: 400, statusText: 'Bad Request' },
      );
    await settle();
    expect(el().querySelector('[data-testid=password-error]')!.textContent).toContain(
      'the current password is wrong',
    );
    expect(TestBed.inject(AuthService).token()).toBe('old-token');
  });

  it('signs out everywhere after confirmation, then leaves for the login page', async () => {
    await open();
    (el().querySelector('[data-testid=sign-out-everywhere]') as HTMLButtonElement).click();
    await settle();
    expect(overlay().textContent).toContain('this one too');
    (overlay().querySelector('[data-testid=confirm]') as HTMLButtonElement).click();
    await settle();
    const req = http.expectOne('/api/me/sign-out-everywhere');
    expect(req.request.method).toBe('POST');
    req.flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    expect(TestBed.inject(AuthService).isLoggedIn()).toBe(false);
    expect(TestBed.inject(Router).url).toBe('/login?reason=everywhere');
  });
});
