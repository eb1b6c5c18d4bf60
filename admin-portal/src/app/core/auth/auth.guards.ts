import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { AuthService } from './auth.service';

/** Pages need a live session; an expired one goes back to login with a message. */
export const authGuard: CanActivateFn = (_route, state) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  if (auth.hasValidSession()) return true;
  const expired = auth.isLoggedIn();
  auth.logout();
  return router.createUrlTree(['/login'], {
    queryParams: { returnUrl: state.url, ...(expired ? { reason: 'expired' } : {}) },
  });
};

/** Admin pages are hidden from members; the server refuses their API calls anyway. */
export const adminGuard: CanActivateFn = () => {
  const auth = inject(AuthService);
  return auth.isAdmin() ? true : inject(Router).createUrlTree(['/forbidden']);
};
