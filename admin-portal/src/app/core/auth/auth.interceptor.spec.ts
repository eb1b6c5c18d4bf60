import { TestBed } from '@angular/core/testing';
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { authInterceptor } from './auth.interceptor';
import { AuthService, SESSION_STORAGE } from './auth.service';
import { MemoryStorage, makeSession, signedIn } from '../../../testing/fixtures';

describe('authInterceptor', () => {
  function setup(storage: Storage) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: SESSION_STORAGE, useValue: storage },
      ],
    });
    const router = TestBed.inject(Router);
    const navigate = jest.spyOn(router, 'navigate').mockResolvedValue(true);
    return {
      client: TestBed.inject(HttpClient),
      http: TestBed.inject(HttpTestingController),
      auth: TestBed.inject(AuthService),
      navigate,
    };
  }

  it('sends the bearer token with API calls', () => {
    const { client, http } = setup(signedIn(makeSession({ accessToken: 'abc' })));
    client.get('/api/resources').subscribe();
    expect(http.expectOne('/api/resources').request.headers.get('Authorization')).toBe(
      'Bearer abc',
    );
  });

  it('does not send it to the login endpoint or to other origins', () => {
    const { client, http } = setup(signedIn(makeSession({ accessToken: 'abc' })));
    client.post('/api/auth/login', {}).subscribe();
    client.get('https://elsewhere.example/api/x').subscribe();
    expect(http.expectOne('/api/auth/login').request.headers.has('Authorization')).toBe(false);
    expect(
      http.expectOne('https://elsewhere.example/api/x').request.headers.has('Authorization'),
    ).toBe(false);
  });

  it('sends nothing when signed out', () => {
    const { client, http } = setup(new MemoryStorage());
    client.get('/api/resources').subscribe();
    expect(http.expectOne('/api/resources').request.headers.has('Authorization')).toBe(false);
  });

  it('on a 401 ends the session and goes to login saying the session expired', () => {
    const { client, http, auth, navigate } = setup(signedIn());
    let failed = false;
    client.get('/api/resources').subscribe({ error: () => (failed = true) });
    http
      .expectOne('/api/resources')
      .flush(
        { statusCode: 401, code: 'unauthorized', message: 'Token expired' },
        { status: 401, statusText: 'Unauthorized' },
      );
    expect(failed).toBe(true);
    expect(auth.isLoggedIn()).toBe(false);
    expect(navigate).toHaveBeenCalledWith(['/login'], {
      queryParams: { reason: 'expired', returnUrl: '/' },
    });
  });

  it('leaves a wrong password on the login form alone', () => {
    const { client, http, navigate } = setup(new MemoryStorage());
    client.post('/api/auth/login', {}).subscribe({ error: () => {} });
    http
      .expectOne('/api/auth/login')
      .flush({ message: 'Wrong' }, { status: 401, statusText: 'Unauthorized' });
    expect(navigate).not.toHaveBeenCalled();
  });

  it('does not sign out on a 403 (a member calling an admin endpoint)', () => {
    const { client, http, auth } = setup(signedIn());
    client.get('/api/admin/nodes').subscribe({ error: () => {} });
    http
      .expectOne('/api/admin/nodes')
      .flush({ message: 'Forbidden' }, { status: 403, statusText: 'Forbidden' });
    expect(auth.isLoggedIn()).toBe(true);
  });

  it('a refused session refresh ends the session like any 401 ("session expired")', () => {
    const { http, auth, navigate } = setup(signedIn(makeSession({ accessToken: 'abc' })));
    auth.refreshSession().subscribe({ error: () => {} });
    const req = http.expectOne('/api/auth/refresh');
    expect(req.request.headers.get('Authorization')).toBe('Bearer abc');
    req.flush(
      { code: 'session_expired', message: 'the session is too old; log in again' },
      { status: 401, statusText: 'Unauthorized' },
    );
    expect(auth.isLoggedIn()).toBe(false);
    expect(navigate).toHaveBeenCalledWith(['/login'], {
      queryParams: { reason: 'expired', returnUrl: '/' },
    });
  });
});
