import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { DatePipe } from '@angular/common';
import { Title } from '@angular/platform-browser';
import { Router, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatChipsModule } from '@angular/material/chips';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { catchError, filter, map, of, switchMap, tap } from 'rxjs';
import type { ResourceDetail } from '@shoal/contract';
import { AuthService } from '../../core/auth/auth.service';
import { apiErrorMessage, blobErrorMessage } from '../../core/http/api-error';
import { BytesPipe, ExactBytesPipe } from '../../shared/bytes.pipe';
import { confirmAction } from '../../shared/confirm-dialog.component';
import { CopyButtonComponent } from '../../shared/copy-button.component';
import { saveBlob } from '../../shared/save-file';
import { PreheatDialogComponent, PreheatDialogData } from '../preheat/preheat-dialog.component';
import { PreheatJobsComponent } from '../preheat/preheat-jobs.component';
import { ResourceEditDialogComponent } from './resource-edit-dialog.component';
import { ResourcesService } from './resources.service';
import { AgentInstallComponent } from '../../shared/agent-install.component';
import { CommandLineComponent } from '../../shared/command-line.component';
import { shoalGetCommand } from './shoal-command';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One resource: what it is, who serves it, who is fetching it, and how to get it. */
@Component({
  selector: 'app-resource-detail',
  imports: [
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatChipsModule,
    MatIconModule,
    MatProgressBarModule,
    MatTableModule,
    MatTooltipModule,
    BytesPipe,
    ExactBytesPipe,
    CopyButtonComponent,
    AgentInstallComponent,
    CommandLineComponent,
    PreheatJobsComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './resource-detail.component.html',
  styleUrl: './resource-detail.component.scss',
})
export class ResourceDetailComponent {
  private readonly api = inject(ResourcesService);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  private readonly router = inject(Router);
  protected readonly auth = inject(AuthService);

  /** From the route (`resources/:id`). */
  readonly id = input.required<string>();

  private readonly reloads = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly resource = signal<ResourceDetail | null>(null);
  protected readonly downloading = signal(false);
  private readonly preheatJobs = viewChild(PreheatJobsComponent);

  protected readonly command = computed(() => {
    const r = this.resource();
    return r ? shoalGetCommand(r) : '';
  });
  /** `publishedBy` is a user id today; show it only when it reads as a name. */
  protected readonly publisher = computed(() => {
    const by = this.resource()?.publishedBy ?? null;
    return by && !UUID.test(by) ? by : null;
  });
  protected readonly onlineProviders = computed(
    () => this.resource()?.providers.filter((p) => p.online).length ?? 0,
  );

  protected readonly fileColumns = ['path', 'size'];
  protected readonly providerColumns = ['name', 'addresses', 'site', 'status', 'lastHeartbeat'];
  protected readonly downloaderColumns = ['name', 'role', 'site', 'addresses', 'progress'];

  constructor() {
    // The tab (and history entry) says which resource this is.
    const title = inject(Title);
    effect(() => {
      const name = this.resource()?.name;
      if (name) title.setTitle(`${name} · Shoal`);
    });

    toObservable(computed(() => ({ id: this.id(), n: this.reloads() })))
      .pipe(
        tap(() => {
          this.loading.set(true);
          this.error.set(null);
        }),
        switchMap(({ id }) =>
          this.api.get(id).pipe(
            map((resource) => ({ resource, error: null })),
            catchError((err: unknown) => of({ resource: null, error: apiErrorMessage(err) })),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe(({ resource, error }) => {
        this.loading.set(false);
        this.resource.set(resource);
        this.error.set(error);
      });
  }

  protected reload(): void {
    this.reloads.update((n) => n + 1);
  }

  protected downloadManifest(): void {
    const r = this.resource();
    if (!r || this.downloading()) return;
    this.downloading.set(true);
    this.api.manifest(r).subscribe({
      next: ({ blob, filename }) => {
        this.downloading.set(false);
        saveBlob(blob, filename);
        this.snack.open(`Saved ${filename}`, undefined, { duration: 3000 });
      },
      error: async (err: unknown) => {
        this.downloading.set(false);
        this.snack.open(`Manifest download failed: ${await blobErrorMessage(err)}`, 'Dismiss');
      },
    });
  }

  protected edit(): void {
    const r = this.resource();
    if (!r) return;
    this.dialog
      .open(ResourceEditDialogComponent, { data: r, width: '560px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((updated?: ResourceDetail) => {
        if (updated) {
          this.resource.set(updated);
          this.snack.open('Resource updated', undefined, { duration: 3000 });
        }
      });
  }

  protected preheat(): void {
    const r = this.resource();
    if (!r) return;
    this.dialog
      .open<PreheatDialogComponent, PreheatDialogData>(PreheatDialogComponent, {
        data: { resourceId: r.id, resourceName: r.name },
        width: '560px',
        maxWidth: '95vw',
      })
      .afterClosed()
      .subscribe((job) => {
        if (!job) return;
        const n = job.tasks.length;
        this.snack.open(
          `Preheat started on ${n} seed ${n === 1 ? 'server' : 'servers'}`,
          undefined,
          { duration: 3000 },
        );
        this.preheatJobs()?.reload();
      });
  }

  protected remove(): void {
    const r = this.resource();
    if (!r) return;
    confirmAction(this.dialog, {
      title: 'Delete resource?',
      message: `“${r.name}” will disappear from the catalog and its manifest will stop working. Seed servers keep their copy of the files.`,
      confirmLabel: 'Delete',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.api.remove(r.id)),
      )
      .subscribe({
        next: () => {
          this.snack.open(`Deleted “${r.name}”`, undefined, { duration: 3000 });
          void this.router.navigate(['/resources']);
        },
        error: (err: unknown) =>
          this.snack.open(`Delete failed: ${apiErrorMessage(err)}`, 'Dismiss'),
      });
  }
}
