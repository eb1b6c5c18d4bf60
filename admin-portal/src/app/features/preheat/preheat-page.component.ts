import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { PreheatJobsComponent } from './preheat-jobs.component';

/** Admin: every preheat job (or one resource's, `?resourceId=`) with per-node progress. */
@Component({
  selector: 'app-preheat-page',
  imports: [RouterLink, MatButtonModule, MatIconModule, PreheatJobsComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-header">
        <h1>Preheat</h1>
      </div>
      <p class="muted lead">
        Resources placed on seed servers ahead of demand. Start one from a resource's page.
      </p>
      @if (resourceId(); as id) {
        <p class="filter-note" data-testid="preheat-filter">
          Jobs of one resource only ·
          <a routerLink="/preheat">show all</a>
        </p>
      }
      <app-preheat-jobs [resourceId]="resourceId()" />
    </div>
  `,
})
export class PreheatPageComponent {
  private readonly params = toSignal(inject(ActivatedRoute).queryParamMap);
  protected readonly resourceId = computed(() => this.params()?.get('resourceId') || null);
}
