import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import type { AgentDownload } from '@shoal/contract/api';
import { catchError, of } from 'rxjs';
import { BytesPipe } from './bytes.pipe';
import { CommandLineComponent } from './command-line.component';

/**
 * How a machine without the agent gets it: from this server, which hands out the agent it
 * was released with (never from a public registry, where anyone could publish a "shoal").
 * Two lines: fetch and check the executable, then log in to this server (or, in the
 * enrollment dialog, the enroll command that follows it).
 */
@Component({
  selector: 'app-agent-install',
  imports: [BytesPipe, CommandLineComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (agent(); as a) {
      @if (a.available) {
        <p class="muted" data-testid="agent-install">
          No agent on this machine yet?
          <a [href]="a.url" download="shoal">Download shoal</a>
          (Linux x86-64, {{ a.sizeBytes ?? 0 | bytes }}, no Node.js needed), or run{{
            login() ? '' : ' this first'
          }}:
        </p>
        <app-command-line
          [command]="installCommand()"
          copyLabel="Copy the install command"
          testId="install-command"
        />
        @if (login()) {
          <app-command-line
            [command]="loginCommand()"
            copyLabel="Copy the login command"
            testId="login-command"
          />
        }
      } @else {
        <p class="muted" data-testid="agent-missing">
          This server has no agent executable to hand out: ask an administrator for the
          <code>shoal</code> agent of this release.
        </p>
      }
    }
  `,
})
export class AgentInstallComponent {
  /** The user the login line names. */
  readonly username = input<string | null>(null);
  /** Whether to show the login line (the enrollment dialog shows its enroll command instead). */
  readonly login = input(true);

  protected readonly agent = toSignal(
    inject(HttpClient)
      .get<AgentDownload>('/api/downloads/agent')
      .pipe(catchError(() => of(null))),
    { initialValue: null },
  );
  private readonly origin = globalThis.location?.origin ?? '';

  protected readonly installCommand = computed(() => {
    const a = this.agent();
    if (!a) return '';
    return (
      `curl -fsSLO ${this.origin}${a.url} && curl -fsSLO ${this.origin}${a.checksumUrl} && ` +
      'sha256sum -c shoal.sha256 && chmod +x shoal && sudo install shoal /usr/local/bin/'
    );
  });

  protected readonly loginCommand = computed(() => {
    const user = this.username();
    return `shoal login --server ${this.origin}${user ? ` --user ${user}` : ''}`;
  });
}
