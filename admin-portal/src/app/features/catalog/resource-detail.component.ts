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
import { HttpErrorResponse } from '@angular/common/http';
import { Title } from '@angular/platform-browser';
import { Router, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
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
import { countOf } from '../../shared/count';
import { CopyButtonComponent } from '../../shared/copy-button.component';
import { saveBlob } from '../../shared/save-file';
import {
  SendToMachineData,
  SendToMachineDialogComponent,
} from '../my-downloads/send-to-machine-dialog.component';
import { PreheatDialogComponent, PreheatDialogData } from '../preheat/preheat-dialog.component';
import { PreheatJobsComponent } from '../preheat/preheat-jobs.component';
import { ResourceEditDialogComponent } from './resource-edit-dialog.component';
import { CatalogReturn } from './catalog-return';
import { ResourcesService } from './resources.service';
import { TagChipsComponent } from './tag-chips.component';
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
    TagChipsComponent,
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
  /** Where "All resources" goes: the catalog's last search, tag, sort and page. */
  protected readonly back = inject(CatalogReturn);

  /** From the route (`resources/:id`). */
  readonly id = input.required<string>();

  private readonly reloads = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  /** The server answered 404: no retry can help, so none is offered. */
  protected readonly missing = signal(false);
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

  /** Downloaders seeding it on: "Also shared by 2 downloaders that have all of it: a (paris), b". */
  protected sharedBy(r: ResourceDetail): string {
    const names = r.sharing.map((s) => (s.site ? `${s.name} (${s.site})` : s.name)).join(', ');
    const verb = r.sharing.length === 1 ? 'has' : 'have';
    return `Also shared by ${countOf(r.sharing.length, 'downloader')} that ${verb} all of it: ${names}`;
  }

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
          this.missing.set(false);
        }),
        switchMap(({ id }) =>
          this.api.get(id).pipe(
            map((resource) => ({ resource, error: null, missing: false })),
            catchError((err: unknown) =>
              of({
                resource: null,
                error: apiErrorMessage(err),
                // 404, or an id that cannot be one (the server refuses it with 400)
                missing:
                  err instanceof HttpErrorResponse &&
                  (err.status === 404 || (err.status === 400 && !UUID.test(id))),
              }),
            ),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe(({ resource, error, missing }) => {
        this.loading.set(false);
        this.resource.set(resource);
        this.error.set(error);
        this.missing.set(missing);
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

  protected sendToMachine(): void {
    const r = this.resource();
    if (!r) return;
    this.dialog
      .open<SendToMachineDialogComponent, SendToMachineData>(SendToMachineDialogComponent, {
        data: { resourceId: r.id, resourceName: r.name, getCommand: this.command() },
        width: '600px',
        maxWidth: '95vw',
      })
      .afterClosed()
      .subscribe((request) => {
        if (!request) return;
        this.snack
          .open(`Sent “${request.resourceName}” to ${request.nodeName}`, 'My downloads', {
            duration: 5000,
          })
          .onAction()
          .subscribe(() => void this.router.navigate(['/my-downloads']));
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
        this.snack.open(
          `Preheat started on ${countOf(job.tasks.length, 'seed server')}`,
          undefined,
          {
            duration: 3000,
          },
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
