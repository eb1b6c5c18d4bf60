import { Routes } from '@angular/router';

export const LOGIN_ROUTES: Routes = [
  {
    path: '',
    title: 'Sign in · Shoal',
    loadComponent: () => import('./login.component').then((m) => m.LoginComponent),
  },
];
