import {
  ChangeDetectionStrategy,
  Component,
  LOCALE_ID,
  computed,
  inject,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { DatePipe, PercentPipe, formatDate } from '@angular/common';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { BaseChartDirective } from 'ng2-charts';
import type { ChartConfiguration } from 'chart.js';
import { catchError, interval, map, of, startWith, switchMap, tap } from 'rxjs';
import type { DashboardStats } from '@shoal/contract';
import { apiErrorMessage } from '../../core/http/api-error';
import { BytesPipe, ExactBytesPipe } from '../../shared/bytes.pipe';
import { CountPipe } from '../../shared/count';
import { formatBytes } from '../../shared/format-bytes';
import { byteAxisStep } from './byte-axis';
import { StatsService, swarmShare } from './stats.service';

const REFRESH_MS = 60_000;

const SEED_COLOR = '#5c6bc0';
const PEER_COLOR = '#26a69a';

/** Admin: totals and bytes served by seed servers versus by the swarm over time. */
@Component({
  selector: 'app-dashboard-page',
  imports: [
    CountPipe,
    DatePipe,
    PercentPipe,
    MatButtonModule,
    MatCardModule,
    MatIconModule,
    MatProgressBarModule,
    BaseChartDirective,
    BytesPipe,
    ExactBytesPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './dashboard-page.component.html',
  styleUrl: './dashboard-page.component.scss',
})
export class DashboardPageComponent {
  private readonly api = inject(StatsService);

  private readonly reloads = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly stats = signal<DashboardStats | null>(null);
  protected readonly updatedAt = signal<Date | null>(null);

  protected readonly share = computed(() => swarmShare(this.stats()?.traffic ?? []));

  protected readonly chartData = computed<ChartConfiguration<'bar'>['data']>(() => {
    const traffic = this.stats()?.traffic ?? [];
    return {
      labels: traffic.map((b) => b.at),
      datasets: [
        {
          label: 'Seed servers',
          data: traffic.map((b) => b.seedBytes),
          backgroundColor: SEED_COLOR,
          stack: 'bytes',
        },
        {
          label: 'Other downloaders (swarm)',
          data: traffic.map((b) => b.peerBytes),
          backgroundColor: PEER_COLOR,
          stack: 'bytes',
        },
      ],
    };
  });

  /** The tallest stacked bar, to pick readable axis steps. */
  private readonly peakBucket = computed(() =>
    Math.max(0, ...(this.stats()?.traffic ?? []).map((b) => b.seedBytes + b.peerBytes)),
  );

  private readonly locale = inject(LOCALE_ID);

  protected readonly chartOptions = computed<ChartConfiguration<'bar'>['options']>(() => {
    const locale = this.locale;
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: {
          stacked: true,
          ticks: {
            maxRotation: 0,
            autoSkip: true,
            callback(value) {
              const label = this.getLabelForValue(Number(value));
              const d = new Date(label);
              return Number.isNaN(d.getTime()) ? label : formatDate(d, 'HH:mm', locale);
            },
          },
        },
        y: {
          stacked: true,
          beginAtZero: true,
          ticks: {
            stepSize: byteAxisStep(this.peakBucket()),
            callback: (value) => formatBytes(Number(value)),
          },
        },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            // 24-hour, like every date in the portal (toLocaleString would follow the browser).
            title: (items) =>
              items[0] ? formatDate(String(items[0].label), 'd MMM y, HH:mm', locale) : '',
            label: (item) => `${item.dataset.label}: ${formatBytes(Number(item.raw))}`,
          },
        },
      },
    };
  });

  constructor() {
    toObservable(this.reloads)
      .pipe(
        switchMap(() => interval(REFRESH_MS).pipe(startWith(0))),
        tap(() => this.loading.set(true)),
        switchMap(() =>
          this.api.get().pipe(
            map((stats) => ({ stats, error: null })),
            catchError((err: unknown) => of({ stats: null, error: apiErrorMessage(err) })),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe(({ stats, error }) => {
        this.loading.set(false);
        this.error.set(error);
        if (stats) {
          this.stats.set(stats);
          this.updatedAt.set(new Date());
        }
      });
  }

  protected refresh(): void {
    this.reloads.update((n) => n + 1);
  }
}
