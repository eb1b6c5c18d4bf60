import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { DatePipe } from '@angular/common';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import type { ResourceSummary } from '@shoal/contract';
import { RESOURCE_SORT_FIELDS } from '@shoal/contract/api';
import { AuthService } from '../../core/auth/auth.service';
import { BytesPipe, ExactBytesPipe } from '../../shared/bytes.pipe';
import { narrowScreen } from '../../shared/narrow-screen';
import { ServerTable } from '../../shared/table/server-table';
import { TablePaginatorComponent } from '../../shared/table/table-paginator.component';
import { TableSearchComponent } from '../../shared/table/table-search.component';
import {
  TableLoadingBarComponent,
  TableStateComponent,
} from '../../shared/table/table-state.component';
import { ResourcesService } from './resources.service';

/**
 * The catalog: a server-backed table whose search, sort and page live in the URL, so a
 * search is a link someone else can open. Searches of several common words answer a lower
 * bound ("669+"), which the summary and the paginator say.
 */
@Component({
  selector: 'app-catalog-page',
  imports: [
    DatePipe,
    RouterLink,
    MatTableModule,
    MatSortModule,
    MatIconModule,
    MatButtonModule,
    BytesPipe,
    ExactBytesPipe,
    TableLoadingBarComponent,
    TablePaginatorComponent,
    TableSearchComponent,
    TableStateComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './catalog-page.component.html',
  styleUrl: './catalog-page.component.scss',
})
export class CatalogPageComponent {
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected readonly auth = inject(AuthService);
  private readonly api = inject(ResourcesService);

  protected readonly table = new ServerTable<ResourceSummary>({
    sortFields: RESOURCE_SORT_FIELDS,
    load: (query) => this.api.list(query),
  });

  /** On a phone the table keeps what matters for choosing: name, size, seeds, downloaders. */
  protected readonly narrow = narrowScreen();
  protected readonly columns = computed(() =>
    this.narrow()
      ? ['name', 'size', 'seeds', 'downloaders']
      : ['name', 'size', 'seeds', 'downloaders', 'updated'],
  );

  protected open(row: ResourceSummary, event: MouseEvent): void {
    // The name is a real link (keyboard, middle-click); the rest of the row is a shortcut.
    if ((event.target as HTMLElement | null)?.closest('a')) return;
    void this.router.navigate([row.id], { relativeTo: this.route });
  }
}
