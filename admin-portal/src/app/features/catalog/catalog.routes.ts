import { Routes } from '@angular/router';

export const CATALOG_ROUTES: Routes = [
  {
    path: '',
    title: 'Resources · Shoal',
    loadComponent: () => import('./catalog-page.component').then((m) => m.CatalogPageComponent),
  },
  {
    path: ':id',
    title: 'Resource · Shoal',
    loadComponent: () =>
      import('./resource-detail.component').then((m) => m.ResourceDetailComponent),
  },
];
