import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatRadioModule } from '@angular/material/radio';
import { MatSelectModule } from '@angular/material/select';
import type { NodeSummary, PreheatCreateRequest, PreheatJob } from '@shoal/contract';
import { apiErrorMessage } from '../../core/http/api-error';
import { PreheatService } from './preheat.service';

export interface PreheatDialogData {
  resourceId: string;
  resourceName: string;
}
import { CountPipe } from '../../shared/count';

/**
 * Admin: place a resource on chosen seed servers, or on every seed server of a site
 * (POST /api/admin/preheat). Closes with the new job.
 */
@Component({
  selector: 'app-preheat-dialog',
  imports: [
    CountPipe,
    MatDialogModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatListModule,
    MatProgressBarModule,
    MatRadioModule,
    MatSelectModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './preheat-dialog.component.html',
  styleUrl: './preheat-dialog.component.scss',
})
export class PreheatDialogComponent {
  private readonly api = inject(PreheatService);
  private readonly ref = inject<MatDialogRef<PreheatDialogComponent, PreheatJob>>(MatDialogRef);
  protected readonly data = inject<PreheatDialogData>(MAT_DIALOG_DATA);

  protected readonly mode = signal<'nodes' | 'site'>('nodes');
  protected readonly seeds = signal<NodeSummary[] | null>(null);
  protected readonly loadError = signal<string | null>(null);
  protected readonly selected = signal<string[]>([]);
  protected readonly site = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly attempted = signal(false);

  /** Sites with at least one seed server, with how many each has. */
  protected readonly sites = computed(() => {
    const counts = new Map<string, number>();
    for (const n of this.seeds() ?? []) {
      if (n.site) counts.set(n.site, (counts.get(n.site) ?? 0) + 1);
    }
    return [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, count]) => ({ name, count }));
  });

  protected readonly valid = computed(() =>
    this.mode() === 'nodes' ? this.selected().length > 0 : this.site() !== null,
  );

  constructor() {
    this.api.seedNodes().subscribe({
      next: (page) => this.seeds.set(page.items.filter((n) => !n.revoked)),
      error: (err: unknown) => this.loadError.set(apiErrorMessage(err)),
    });
  }

  protected submit(): void {
    this.attempted.set(true);
    if (!this.valid() || this.busy()) return;
    const body: PreheatCreateRequest =
      this.mode() === 'nodes'
        ? { resourceId: this.data.resourceId, nodeIds: this.selected() }
        : { resourceId: this.data.resourceId, site: this.site()! };
    this.busy.set(true);
    this.error.set(null);
    this.api.create(body).subscribe({
      next: (job) => this.ref.close(job),
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(apiErrorMessage(err));
      },
    });
  }
}
