import { Routes } from '@angular/router';

export const ACCOUNT_ROUTES: Routes = [
  {
    path: '',
    title: 'Account · Shoal',
    loadComponent: () => import('./account-page.component').then((m) => m.AccountPageComponent),
  },
];
