import { Routes } from '@angular/router';

export const MY_DOWNLOADS_ROUTES: Routes = [
  {
    path: '',
    title: 'My downloads · Shoal',
    loadComponent: () =>
      import('./my-downloads-page.component').then((m) => m.MyDownloadsPageComponent),
  },
];
