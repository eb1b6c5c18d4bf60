import { Routes } from '@angular/router';

export const TOKENS_ROUTES: Routes = [
  {
    path: '',
    title: 'My tokens · Shoal',
    loadComponent: () => import('./tokens-page.component').then((m) => m.TokensPageComponent),
  },
];
