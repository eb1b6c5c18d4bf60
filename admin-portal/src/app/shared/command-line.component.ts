import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { CopyButtonComponent } from './copy-button.component';
import { commandGroups } from './command-words';

/**
 * A shell command to copy. On a narrow screen it wraps only between arguments (each flag
 * with its value is one unbreakable group), so no flag is ever split across two lines; the
 * copy button and a selection both give the exact command.
 */
@Component({
  selector: 'app-command-line',
  imports: [CopyButtonComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="command">
      <code [attr.data-testid]="testId()">
        @for (g of groups(); track $index) {
          <!-- The space is interpolated: Angular drops whitespace-only text between tags. -->
          @if (!$first) {
            <span>{{ ' ' }}</span>
          }
          <span class="arg">{{ g }}</span>
        }
      </code>
      <app-copy-button [text]="command()" [label]="copyLabel()" />
    </div>
  `,
})
export class CommandLineComponent {
  readonly command = input.required<string>();
  readonly copyLabel = input('Copy the command');
  readonly testId = input<string | null>(null);
  protected readonly groups = computed(() => commandGroups(this.command()));
}
