import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { DatePipe } from '@angular/common';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { ResourceSummary } from '@shoal/contract';
import { TAG_PATTERN } from '@shoal/contract/limits';
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
import { CatalogReturn } from './catalog-return';
import { ResourcesService } from './resources.service';
import { TagChipsComponent } from './tag-chips.component';

/** The URL's tag, when it is one the API accepts (anything else would only fail the load). */
function validTag(raw: string | null): string {
  return raw && TAG_PATTERN.test(raw) ? raw : '';
}

/**
 * The catalog: a server-backed table whose search, tag, sort and page live in the URL, so
 * a search is a link someone else can open. Searches of several common words answer a lower
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
    TagChipsComponent,
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

  protected readonly table = new ServerTable<ResourceSummary, { tag: string }>({
    sortFields: RESOURCE_SORT_FIELDS,
    filters: (params) => ({ tag: validTag(params.get('tag')) }),
    load: (query) => this.api.list(query),
  });

  constructor() {
    const back = inject(CatalogReturn);
    this.route.queryParams.pipe(takeUntilDestroyed()).subscribe((params) => back.remember(params));
  }

  /** What the URL asks for, as words: “debian” tagged “qa”. */
  protected readonly asked = computed(() => {
    const { q, tag } = this.table.query();
    return [q && `“${q}”`, tag && `tagged “${tag}”`].filter(Boolean).join(' ');
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
