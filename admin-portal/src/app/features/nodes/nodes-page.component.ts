import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { DatePipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { filter, switchMap } from 'rxjs';
import type { NodeRole, NodeSummary } from '@shoal/contract';
import { NODE_SORT_FIELDS } from '@shoal/contract/api';
import { apiErrorMessage } from '../../core/http/api-error';
import { BytesPipe, ExactBytesPipe } from '../../shared/bytes.pipe';
import { confirmAction } from '../../shared/confirm-dialog.component';
import { ServerTable } from '../../shared/table/server-table';
import { TablePaginatorComponent } from '../../shared/table/table-paginator.component';
import { TableSearchComponent } from '../../shared/table/table-search.component';
import {
  TableLoadingBarComponent,
  TableStateComponent,
} from '../../shared/table/table-state.component';
import { EnrollmentDialogComponent } from './enrollment-dialog.component';
import { NodesService } from './nodes.service';

// A type, not an interface: table filters are a record of primitives.
type NodeFilters = { role: NodeRole | null; online: boolean | null };

/** Admin: the enrolled agents, filtered and sorted by the server, with the table state in the URL. */
@Component({
  selector: 'app-nodes-page',
  imports: [
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatSelectModule,
    MatSortModule,
    MatTableModule,
    MatTooltipModule,
    BytesPipe,
    ExactBytesPipe,
    TableLoadingBarComponent,
    TablePaginatorComponent,
    TableSearchComponent,
    TableStateComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './nodes-page.component.html',
  styleUrl: './nodes-page.component.scss',
})
export class NodesPageComponent {
  private readonly api = inject(NodesService);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);

  protected readonly table = new ServerTable<NodeSummary, NodeFilters>({
    sortFields: NODE_SORT_FIELDS,
    filters: (p) => {
      const role = p.get('role');
      const online = p.get('online');
      return {
        role: role === 'seed' || role === 'client' ? role : null,
        online: online === 'true' ? true : online === 'false' ? false : null,
      };
    },
    load: (query) => this.api.list(query),
  });

  protected readonly columns = [
    'name',
    'role',
    'site',
    'addresses',
    'status',
    'lastHeartbeat',
    'resourcesHeld',
    'uploaded',
    'downloaded',
    'actions',
  ];

  protected readonly statusFilter = computed(() => {
    const online = this.table.query().online;
    return online === null ? '' : online ? 'true' : 'false';
  });
  protected readonly filtered = computed(() => {
    const q = this.table.query();
    return !!q.q || q.role !== null || q.online !== null;
  });

  protected setRole(role: string): void {
    this.table.filter({ role: role || null });
  }

  protected setStatus(online: string): void {
    this.table.filter({ online: online || null });
  }

  protected clearFilters(): void {
    this.table.clearSearch({ role: null, online: null });
  }

  protected addSeed(): void {
    this.dialog
      .open(EnrollmentDialogComponent, { width: '600px', maxWidth: '95vw', disableClose: true })
      .afterClosed()
      .subscribe(() => this.table.reload());
  }

  protected revoke(node: NodeSummary): void {
    confirmAction(this.dialog, {
      title: `Revoke ${node.name}?`,
      message:
        'The node loses its credential at once: the server refuses it and other agents stop talking to it. To bring the machine back, enroll it again.',
      confirmLabel: 'Revoke',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.api.revoke(node.id)),
      )
      .subscribe({
        next: (updated) => {
          this.table.replaceRow(updated, (n) => n.id === updated.id);
          this.snack.open(`Revoked ${updated.name}`, undefined, { duration: 3000 });
        },
        error: (err: unknown) =>
          this.snack.open(`Revoke failed: ${apiErrorMessage(err)}`, 'Dismiss'),
      });
  }
}
