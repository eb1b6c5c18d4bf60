import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import {
  ActivatedRouteSnapshot,
  Router,
  RouterStateSnapshot,
  UrlTree,
  provideRouter,
} from '@angular/router';
import { adminGuard, authGuard } from './auth.guards';
import { SESSION_STORAGE } from './auth.service';
import { MemoryStorage, makeSession, makeUser, signedIn } from '../../../testing/fixtures';

describe('route guards', () => {
  function run(guard: typeof authGuard, storage: Storage, url = '/nodes?q=x') {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: storage },
      ],
    });
    const result = TestBed.runInInjectionContext(() =>
      guard({} as ActivatedRouteSnapshot, { url } as RouterStateSnapshot),
    );
    const router = TestBed.inject(Router);
    return result instanceof UrlTree ? router.serializeUrl(result) : result;
  }

  it('lets a signed-in user through', () => {
    expect(run(authGuard, signedIn())).toBe(true);
  });

  it('sends a visitor to login, remembering where they were going', () => {
    expect(run(authGuard, new MemoryStorage())).toBe('/login?returnUrl=%2Fnodes%3Fq%3Dx');
  });

  it('says the session expired when the token is past its expiry', () => {
    const storage = signedIn(makeSession({ expiresAt: '2000-01-01T00:00:00.000Z' }));
    expect(run(authGuard, storage)).toBe('/login?returnUrl=%2Fnodes%3Fq%3Dx&reason=expired');
    expect(storage.getItem('shoal.session')).toBeNull();
  });

  it('keeps members out of admin pages', () => {
    expect(run(adminGuard, signedIn(makeSession({ user: makeUser({ role: 'member' }) })))).toBe(
      '/forbidden',
    );
    expect(run(adminGuard, signedIn(makeSession({ user: makeUser({ role: 'admin' }) })))).toBe(
      true,
    );
  });
});
