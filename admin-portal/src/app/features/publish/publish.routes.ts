import { Routes } from '@angular/router';

export const PUBLISH_ROUTES: Routes = [
  {
    path: '',
    title: 'Publish · Shoal',
    loadComponent: () => import('./publish-page.component').then((m) => m.PublishPageComponent),
  },
];
