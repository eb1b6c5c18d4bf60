import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { RouterLink } from '@angular/router';

/** A resource's tags as chips, each a link to the catalog filtered by it (`/resources?tag=`). */
@Component({
  selector: 'app-tag-chips',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ul class="tags" aria-label="Tags">
      @for (tag of tags(); track tag) {
        <li>
          <a
            class="tag"
            routerLink="/resources"
            [queryParams]="{ tag: tag }"
            [attr.aria-label]="'Resources tagged ' + tag"
            data-testid="tag"
            >{{ tag }}</a
          >
        </li>
      }
    </ul>
  `,
  styles: `
    .tags {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 6px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .tag {
      display: inline-block;
      padding: 1px 10px;
      border-radius: 8px;
      border: 1px solid var(--mat-sys-outline-variant);
      background: var(--mat-sys-surface-container-low);
      color: var(--mat-sys-on-surface-variant);
      font: var(--mat-sys-label-medium);
      line-height: 20px;
      text-decoration: none;
      white-space: nowrap;
    }
    .tag:hover,
    .tag:focus-visible {
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
  `,
})
export class TagChipsComponent {
  readonly tags = input.required<readonly string[]>();
}
