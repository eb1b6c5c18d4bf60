import { Routes } from '@angular/router';
import { adminGuard, authGuard } from './core/auth/auth.guards';

export const routes: Routes = [
  {
    path: 'login',
    loadChildren: () => import('./features/login/login.routes').then((m) => m.LOGIN_ROUTES),
  },
  {
    path: '',
    canActivate: [authGuard],
    canActivateChild: [authGuard],
    loadComponent: () => import('./core/layout/shell.component').then((m) => m.ShellComponent),
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'resources' },
      {
        path: 'resources',
        loadChildren: () =>
          import('./features/catalog/catalog.routes').then((m) => m.CATALOG_ROUTES),
      },
      {
        path: 'my-downloads',
        loadChildren: () =>
          import('./features/my-downloads/my-downloads.routes').then((m) => m.MY_DOWNLOADS_ROUTES),
      },
      {
        path: 'publish',
        canActivate: [adminGuard],
        loadChildren: () =>
          import('./features/publish/publish.routes').then((m) => m.PUBLISH_ROUTES),
      },
      {
        path: 'nodes',
        canActivate: [adminGuard],
        loadChildren: () => import('./features/nodes/nodes.routes').then((m) => m.NODES_ROUTES),
      },
      {
        path: 'users',
        canActivate: [adminGuard],
        loadChildren: () => import('./features/users/users.routes').then((m) => m.USERS_ROUTES),
      },
      {
        path: 'preheat',
        canActivate: [adminGuard],
        loadChildren: () =>
          import('./features/preheat/preheat.routes').then((m) => m.PREHEAT_ROUTES),
      },
      {
        path: 'dashboard',
        canActivate: [adminGuard],
        loadChildren: () =>
          import('./features/dashboard/dashboard.routes').then((m) => m.DASHBOARD_ROUTES),
      },
      {
        path: 'audit',
        canActivate: [adminGuard],
        loadChildren: () => import('./features/audit/audit.routes').then((m) => m.AUDIT_ROUTES),
      },
      {
        path: 'tokens',
        loadChildren: () => import('./features/tokens/tokens.routes').then((m) => m.TOKENS_ROUTES),
      },
      {
        path: 'account',
        loadChildren: () =>
          import('./features/account/account.routes').then((m) => m.ACCOUNT_ROUTES),
      },
      {
        path: 'forbidden',
        title: 'Not allowed · Shoal',
        loadComponent: () =>
          import('./features/errors/forbidden.component').then((m) => m.ForbiddenComponent),
      },
      {
        path: '**',
        title: 'Not found · Shoal',
        loadComponent: () =>
          import('./features/errors/not-found.component').then((m) => m.NotFoundComponent),
      },
    ],
  },
];
