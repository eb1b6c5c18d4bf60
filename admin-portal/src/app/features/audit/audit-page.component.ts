import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { DatePipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import type { AuditEntry } from '@shoal/contract';
import { blobErrorMessage } from '../../core/http/api-error';
import { saveBlob } from '../../shared/save-file';
import { ServerTable } from '../../shared/table/server-table';
import { TablePaginatorComponent } from '../../shared/table/table-paginator.component';
import {
  TableLoadingBarComponent,
  TableStateComponent,
} from '../../shared/table/table-state.component';
import {
  AUDIT_ACTION_CHOICES,
  AuditFilters,
  AuditService,
  apiFilter,
  auditActionLabel,
} from './audit.service';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const text = (value: string | null) => value?.trim() || null;

/**
 * Admin: who did what, to which resource, node or user, when and from where; filtered by
 * actor, action, target and days (kept in the URL), and exported as CSV with the same filters.
 */
@Component({
  selector: 'app-audit-page',
  imports: [
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    MatTableModule,
    TableLoadingBarComponent,
    TablePaginatorComponent,
    TableStateComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './audit-page.component.html',
  styleUrl: './audit-page.component.scss',
})
export class AuditPageComponent {
  private readonly api = inject(AuditService);
  private readonly snack = inject(MatSnackBar);
  protected readonly actions = AUDIT_ACTION_CHOICES;
  protected readonly columns = ['at', 'action', 'user', 'target', 'detail'];
  protected readonly exporting = signal(false);

  // Newest first, always; the filters live in the URL like every table's.
  protected readonly table = new ServerTable<AuditEntry, AuditFilters>({
    search: false,
    filters: (p) => ({
      actor: text(p.get('actor')),
      action: text(p.get('action')),
      target: text(p.get('target')),
      from: DAY.test(p.get('from') ?? '') ? p.get('from') : null,
      to: DAY.test(p.get('to') ?? '') ? p.get('to') : null,
    }),
    load: ({ page, size, actor, action, target, from, to }) =>
      this.api.list(page, size, apiFilter({ actor, action, target, from, to })),
  });

  private readonly filters = computed<AuditFilters>(() => {
    const { actor, action, target, from, to } = this.table.query();
    return { actor, action, target, from, to };
  });
  protected readonly filtered = computed(() =>
    Object.values(this.filters()).some((v) => v !== null),
  );

  protected label(entry: AuditEntry): string {
    return auditActionLabel(entry.action);
  }

  protected setFilter(name: keyof AuditFilters, value: string): void {
    const clean = value.trim() || null;
    if (clean !== this.filters()[name]) this.table.filter({ [name]: clean });
  }

  protected clearFilters(): void {
    this.table.filter({ actor: null, action: null, target: null, from: null, to: null });
  }

  protected exportCsv(): void {
    if (this.exporting()) return;
    this.exporting.set(true);
    this.api.exportCsv(apiFilter(this.filters())).subscribe({
      next: ({ blob, filename }) => {
        this.exporting.set(false);
        saveBlob(blob, filename);
        this.snack.open(`Saved ${filename}`, undefined, { duration: 3000 });
      },
      error: async (err: unknown) => {
        this.exporting.set(false);
        this.snack.open(`Export failed: ${await blobErrorMessage(err)}`, 'Dismiss');
      },
    });
  }
}
