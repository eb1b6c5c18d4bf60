import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { DatePipe, PercentPipe } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { catchError, map, of, switchMap, tap } from 'rxjs';
import type { NodeDetail } from '@shoal/contract';
import { apiErrorMessage } from '../../core/http/api-error';
import { BytesPipe } from '../../shared/bytes.pipe';
import { NodesService } from './nodes.service';

/** One node (admin): what it is, the agent it runs, what it moved and what it holds. */
@Component({
  selector: 'app-node-detail',
  imports: [
    DatePipe,
    PercentPipe,
    RouterLink,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatTableModule,
    BytesPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './node-detail.component.html',
  styleUrl: './node-detail.component.scss',
})
export class NodeDetailComponent {
  private readonly api = inject(NodesService);

  /** From the route (`nodes/:id`). */
  readonly id = input.required<string>();

  private readonly reloads = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  /** The server answered 404: no retry can help, so none is offered. */
  protected readonly missing = signal(false);
  protected readonly node = signal<NodeDetail | null>(null);
  protected readonly holdingColumns = ['name', 'state'];

  /** "Online", "Offline (stopped …)", "Revoked": what the node is doing now. */
  protected readonly status = computed(() => {
    const n = this.node();
    if (!n) return '';
    if (n.revoked) return 'Revoked';
    return n.online ? 'Online' : n.leftAt ? 'Offline: stopped' : 'Offline: no recent heartbeat';
  });

  constructor() {
    toObservable(computed(() => ({ id: this.id(), n: this.reloads() })))
      .pipe(
        tap(() => {
          this.loading.set(true);
          this.error.set(null);
          this.missing.set(false);
        }),
        switchMap(({ id }) =>
          this.api.get(id).pipe(
            map((node) => ({ node, error: null, missing: false })),
            catchError((err: unknown) =>
              of({
                node: null,
                error: apiErrorMessage(err),
                missing:
                  err instanceof HttpErrorResponse && (err.status === 404 || err.status === 400),
              }),
            ),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe(({ node, error, missing }) => {
        this.loading.set(false);
        this.node.set(node);
        this.error.set(error);
        this.missing.set(missing);
      });
  }

  protected reload(): void {
    this.reloads.update((n) => n + 1);
  }
}
