import { Routes } from '@angular/router';

export const PREHEAT_ROUTES: Routes = [
  {
    path: '',
    title: 'Preheat · Shoal',
    loadComponent: () => import('./preheat-page.component').then((m) => m.PreheatPageComponent),
  },
];
