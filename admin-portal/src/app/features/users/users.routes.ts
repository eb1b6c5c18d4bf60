import { Routes } from '@angular/router';

export const USERS_ROUTES: Routes = [
  {
    path: '',
    title: 'Users · Shoal',
    loadComponent: () => import('./users-page.component').then((m) => m.UsersPageComponent),
  },
];
