import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { CountPipe } from '../count';
import { ServerTable } from './server-table';

/** The bar across the top of a server table while a page loads (inside `.table-wrap`). */
@Component({
  selector: 'app-table-loading-bar',
  imports: [MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (table().loading()) {
      <mat-progress-bar mode="indeterminate" [attr.aria-label]="'Loading ' + what()" />
    }
  `,
  styles: `
    mat-progress-bar {
      position: absolute;
      top: 0;
      left: 0;
      right: 0;
      z-index: 2;
    }
  `,
})
export class TableLoadingBarComponent {
  readonly table = input.required<ServerTable<unknown>>();
  /** What is loading, as in "Loading nodes". */
  readonly what = input.required<string>();
}

/**
 * What a server table shows below its header rows when it has no rows to show: the
 * failure with a retry, a page past the end with the way to the last, the page's own
 * empty state (its content), or a first load.
 */
@Component({
  selector: 'app-table-state',
  imports: [MatButtonModule, MatIconModule, CountPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (table().error(); as e) {
      <div class="state error" role="alert" data-testid="error-state">
        <mat-icon aria-hidden="true">error_outline</mat-icon>
        <p>Could not load {{ what() }}: {{ e }}</p>
        <button mat-stroked-button type="button" (click)="table().reload()">Try again</button>
      </div>
    } @else if (table().pastTheEnd()) {
      <div class="state" role="status" data-testid="past-end-state">
        <mat-icon aria-hidden="true">last_page</mat-icon>
        @if (table().lastPage(); as last) {
          <p>
            There is no page {{ table().query().page }}: the {{ what() }} fill
            {{ last | count: 'page' }}.
          </p>
          <button mat-stroked-button type="button" (click)="table().goToLastPage()">
            Go to the last page ({{ last }})
          </button>
        } @else {
          <p>There is nothing on page {{ table().query().page }}.</p>
          <button mat-stroked-button type="button" (click)="table().goToLastPage()">
            Go to the first page
          </button>
        }
      </div>
    } @else if (table().result(); as r) {
      @if (r.items.length === 0) {
        <div class="state" data-testid="empty-state">
          <ng-content />
        </div>
      }
    } @else if (table().loading()) {
      <div class="state" role="status" data-testid="loading-state">
        <p>Loading {{ what() }}…</p>
      </div>
    }
  `,
})
export class TableStateComponent {
  readonly table = input.required<ServerTable<unknown>>();
  /** What the table lists, as in "Could not load nodes". */
  readonly what = input.required<string>();
}
