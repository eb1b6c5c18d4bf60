import { Routes } from '@angular/router';
import { provideCharts, withDefaultRegisterables } from 'ng2-charts';

export const DASHBOARD_ROUTES: Routes = [
  {
    path: '',
    title: 'Dashboard · Shoal',
    // Chart.js is registered here so it stays out of the initial bundle.
    providers: [
      provideCharts(withDefaultRegisterables(), {
        defaults: { font: { family: "Roboto, 'Helvetica Neue', Arial, sans-serif" } },
      }),
    ],
    loadComponent: () => import('./dashboard-page.component').then((m) => m.DashboardPageComponent),
  },
];
