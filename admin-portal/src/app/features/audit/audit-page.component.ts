import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { DatePipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import { MatIconModule } from '@angular/material/icon';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { AuditEntry } from '@shoal/contract';
import { ServerTable } from '../../shared/table/server-table';
import { TablePaginatorComponent } from '../../shared/table/table-paginator.component';
import {
  TableLoadingBarComponent,
  TableStateComponent,
} from '../../shared/table/table-state.component';
import { AuditService, auditActionLabel } from './audit.service';

/** Admin: who did what and when (manifest downloads, publishes, revocations, user changes). */
@Component({
  selector: 'app-audit-page',
  imports: [
    DatePipe,
    RouterLink,
    MatIconModule,
    MatTableModule,
    MatTooltipModule,
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
  protected readonly columns = ['at', 'action', 'user', 'resource', 'node'];
  // Newest first, always: the log has no search and no other order.
  protected readonly table = new ServerTable<AuditEntry>({
    search: false,
    load: (query) => this.api.list(query.page, query.size),
  });

  protected label(entry: AuditEntry): string {
    return auditActionLabel(entry.action);
  }

  /** The first block of an id: enough to tell entries apart, the whole id on hover. */
  protected short(id: string): string {
    return id.length > 8 ? `${id.slice(0, 8)}…` : id;
  }
}
