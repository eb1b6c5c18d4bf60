import {
  ChangeDetectionStrategy,
  Component,
  InjectionToken,
  computed,
  effect,
  inject,
  input,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { DatePipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { catchError, filter, map, of, switchMap, tap } from 'rxjs';
import type { PreheatJob, PreheatTaskState, PreheatTaskStatus } from '@shoal/contract';
import { apiErrorMessage } from '../../core/http/api-error';
import { confirmAction } from '../../shared/confirm-dialog.component';
import { countOf } from '../../shared/count';
import { narrowScreen } from '../../shared/narrow-screen';
import { PreheatService, isActive } from './preheat.service';

/** How often the list refreshes itself while a task is queued or running. */
export const PREHEAT_POLL_MS = new InjectionToken<number>('PREHEAT_POLL_MS', {
  providedIn: 'root',
  factory: () => 3000,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATE_LABEL: Record<PreheatTaskState, string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const STATE_ICON: Record<PreheatTaskState, string> = {
  queued: 'schedule',
  running: 'sync',
  done: 'check_circle',
  failed: 'error',
  cancelled: 'block',
};

/**
 * Preheat jobs (all, or one resource's) with each seed server's task: queued, running with
 * its percent, done, failed with the reason, cancelled. Refreshes itself while work is
 * pending; an active job can be cancelled after confirming.
 */
@Component({
  selector: 'app-preheat-jobs',
  imports: [
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatTableModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './preheat-jobs.component.html',
  styleUrl: './preheat-jobs.component.scss',
})
export class PreheatJobsComponent {
  private readonly api = inject(PreheatService);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  private readonly pollMs = inject(PREHEAT_POLL_MS);

  /** Only this resource's jobs (the resource page); all jobs when absent. */
  readonly resourceId = input<string | null>(null);
  /** Name each job's resource (off on the resource's own page). */
  readonly showResource = input(true);

  private readonly reloads = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly jobs = signal<PreheatJob[] | null>(null);
  protected readonly cancelling = signal<string | null>(null);
  protected readonly polling = computed(() => this.jobs()?.some(isActive) ?? false);

  /** On a phone the node, its state and progress fit without scrolling sideways. */
  protected readonly narrow = narrowScreen();
  protected readonly columns = computed(() =>
    this.narrow()
      ? ['node', 'state', 'progress']
      : ['node', 'site', 'state', 'progress', 'updated'],
  );

  constructor() {
    let lastResource: string | null | undefined;
    toObservable(computed(() => ({ resourceId: this.resourceId(), n: this.reloads() })))
      .pipe(
        tap(({ resourceId }) => {
          // A refresh keeps the list on screen; a different resource starts over.
          if (resourceId !== lastResource) this.jobs.set(null);
          lastResource = resourceId;
          this.loading.set(true);
        }),
        switchMap(({ resourceId }) =>
          this.api.list(resourceId).pipe(
            map((jobs) => ({ jobs, error: null })),
            catchError((err: unknown) => of({ jobs: null, error: apiErrorMessage(err) })),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe(({ jobs, error }) => {
        this.loading.set(false);
        this.error.set(error);
        if (jobs) this.jobs.set(jobs);
      });

    // While anything is queued or running, look again in a few seconds.
    effect((onCleanup) => {
      if (!this.polling() || this.loading() || this.cancelling()) return;
      const timer = setTimeout(() => this.reload(), this.pollMs);
      onCleanup(() => clearTimeout(timer));
    });
  }

  /** Fetches the jobs again (after creating one, say). */
  reload(): void {
    this.reloads.update((n) => n + 1);
  }

  protected isActive(job: PreheatJob): boolean {
    return !job.cancelled && isActive(job);
  }

  /** `createdBy` may be a bare user id; show it only when it reads as a name. */
  protected creator(job: PreheatJob): string | null {
    return job.createdBy && !UUID.test(job.createdBy) ? job.createdBy : null;
  }

  protected target(job: PreheatJob): string {
    if (job.site) return `every seed server of site ${job.site}`;
    return countOf(job.tasks.length, 'seed server');
  }

  /** "2 done · 1 running" */
  protected summary(job: PreheatJob): string {
    const counts = new Map<PreheatTaskState, number>();
    for (const t of job.tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    return (Object.keys(STATE_LABEL) as PreheatTaskState[])
      .filter((s) => counts.has(s))
      .map((s) => `${counts.get(s)} ${s}`)
      .join(' · ');
  }

  protected label(task: PreheatTaskStatus): string {
    return STATE_LABEL[task.state] ?? task.state;
  }

  protected icon(task: PreheatTaskStatus): string {
    return STATE_ICON[task.state] ?? 'help';
  }

  protected percent(task: PreheatTaskStatus): number {
    return task.state === 'done' ? 100 : Math.max(0, Math.min(100, Math.round(task.percent)));
  }

  protected cancel(job: PreheatJob): void {
    confirmAction(this.dialog, {
      title: 'Cancel preheat?',
      message: `Seed servers stop fetching “${job.resourceName}” for this job. What they already hold stays on disk.`,
      confirmLabel: 'Cancel preheat',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        tap(() => this.cancelling.set(job.id)),
        switchMap(() => this.api.cancel(job.id)),
      )
      .subscribe({
        next: (updated) => {
          this.cancelling.set(null);
          this.jobs.update((jobs) => jobs?.map((j) => (j.id === updated.id ? updated : j)) ?? jobs);
          // A refresh that left before the cancel would bring back the old states: replace it.
          this.reload();
          this.snack.open(`Cancelled preheat of “${job.resourceName}”`, undefined, {
            duration: 3000,
          });
        },
        error: (err: unknown) => {
          this.cancelling.set(null);
          this.snack.open(`Cancel failed: ${apiErrorMessage(err)}`, 'Dismiss');
        },
      });
  }
}
