import { Routes } from '@angular/router';

export const NODES_ROUTES: Routes = [
  {
    path: '',
    title: 'Nodes · Shoal',
    loadComponent: () => import('./nodes-page.component').then((m) => m.NodesPageComponent),
  },
];
