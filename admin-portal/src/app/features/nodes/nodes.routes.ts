import { Routes } from '@angular/router';

export const NODES_ROUTES: Routes = [
  {
    path: '',
    title: 'Nodes · Shoal',
    loadComponent: () => import('./nodes-page.component').then((m) => m.NodesPageComponent),
  },
  {
    path: 'enrollment-tokens',
    title: 'Enrollment tokens · Shoal',
    loadComponent: () =>
      import('./enrollment-tokens-page.component').then((m) => m.EnrollmentTokensPageComponent),
  },
  {
    path: ':id',
    title: 'Node · Shoal',
    loadComponent: () => import('./node-detail.component').then((m) => m.NodeDetailComponent),
  },
];
