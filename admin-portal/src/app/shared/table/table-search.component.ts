import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { ServerTable } from './server-table';

/** The search box of a server table: searches after a pause in typing, or at once on Enter. */
@Component({
  selector: 'app-table-search',
  imports: [MatButtonModule, MatFormFieldModule, MatIconModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-form-field subscriptSizing="dynamic">
      <mat-label>{{ label() }}</mat-label>
      <mat-icon matPrefix aria-hidden="true">search</mat-icon>
      <input
        matInput
        type="search"
        name="q"
        autocomplete="off"
        [attr.data-testid]="testId()"
        [value]="table().searchText()"
        (input)="table().onSearchInput($any($event.target).value)"
        (keydown.enter)="table().searchNow()"
      />
      @if (clearable() && table().searchText()) {
        <button
          mat-icon-button
          matSuffix
          type="button"
          aria-label="Clear search"
          (click)="table().clearSearch()"
        >
          <mat-icon>close</mat-icon>
        </button>
      }
    </mat-form-field>
  `,
  styles: `
    :host {
      display: flex;
    }
    mat-form-field {
      flex: 1;
      min-width: 0;
    }
  `,
})
export class TableSearchComponent {
  readonly table = input.required<ServerTable<unknown>>();
  readonly label = input.required<string>();
  readonly testId = input.required<string>();
  /** A button in the box that empties it. */
  readonly clearable = input(false);
}
