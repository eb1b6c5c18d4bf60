import {
  ChangeDetectionStrategy,
  Component,
  InjectionToken,
  computed,
  effect,
  inject,
  signal,
} from '@angular/core';
import { DatePipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import type { DownloadRequest, DownloadRequestState } from '@shoal/contract';
import { AuthService } from '../../core/auth/auth.service';
import { apiErrorMessage } from '../../core/http/api-error';
import { BytesPipe } from '../../shared/bytes.pipe';
import { narrowScreen } from '../../shared/narrow-screen';
import { ServerTable } from '../../shared/table/server-table';
import { TablePaginatorComponent } from '../../shared/table/table-paginator.component';
import {
  TableLoadingBarComponent,
  TableStateComponent,
} from '../../shared/table/table-state.component';
import { MyDownloadsService, isOpen, percentDone } from './my-downloads.service';

/** How often the page looks again while a download is queued or running. */
export const MY_DOWNLOADS_POLL_MS = new InjectionToken<number>('MY_DOWNLOADS_POLL_MS', {
  providedIn: 'root',
  factory: () => 3000,
});

const STATE_LABEL: Record<DownloadRequestState, string> = {
  queued: 'Waiting for the machine',
  running: 'Downloading',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const STATE_ICON: Record<DownloadRequestState, string> = {
  queued: 'schedule',
  running: 'sync',
  done: 'check_circle',
  failed: 'error',
  cancelled: 'block',
};

/** Every signed-in user: what they sent to their machines, with progress; open ones can be cancelled. */
@Component({
  selector: 'app-my-downloads-page',
  imports: [
    BytesPipe,
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatTableModule,
    TableLoadingBarComponent,
    TablePaginatorComponent,
    TableStateComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './my-downloads-page.component.html',
  styleUrl: './my-downloads-page.component.scss',
})
export class MyDownloadsPageComponent {
  private readonly api = inject(MyDownloadsService);
  private readonly snack = inject(MatSnackBar);
  private readonly pollMs = inject(MY_DOWNLOADS_POLL_MS);

  protected readonly table = new ServerTable<DownloadRequest>({
    search: false,
    load: (query) => this.api.list(query.page, query.size),
  });
  protected readonly cancelling = signal<string | null>(null);
  /** "by <user>" is said only of what someone else (an admin) sent to your machine. */
  private readonly auth = inject(AuthService);
  protected readonly me = computed(() => this.auth.user()?.username ?? null);
  protected readonly narrow = narrowScreen();
  protected readonly columns = computed(() =>
    this.narrow()
      ? ['resource', 'state', 'actions']
      : ['resource', 'node', 'state', 'progress', 'created', 'actions'],
  );
  private readonly polling = computed(() => this.table.rows().some((r) => isOpen(r.state)));

  constructor() {
    // While anything is on its way, look again in a few seconds.
    effect((onCleanup) => {
      if (!this.polling() || this.table.loading() || this.cancelling()) return;
      const timer = setTimeout(() => this.table.reload(), this.pollMs);
      onCleanup(() => clearTimeout(timer));
    });
  }

  protected label(r: DownloadRequest): string {
    return STATE_LABEL[r.state] ?? r.state;
  }

  protected icon(r: DownloadRequest): string {
    return STATE_ICON[r.state] ?? 'help';
  }

  protected percent(r: DownloadRequest): number {
    return percentDone(r);
  }

  protected isOpen(r: DownloadRequest): boolean {
    return isOpen(r.state);
  }

  protected cancel(r: DownloadRequest): void {
    this.cancelling.set(r.id);
    this.api.cancel(r.id).subscribe({
      next: () => {
        this.cancelling.set(null);
        this.table.reload();
        this.snack.open(`Cancelled “${r.resourceName}” to ${r.nodeName}`, undefined, {
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
