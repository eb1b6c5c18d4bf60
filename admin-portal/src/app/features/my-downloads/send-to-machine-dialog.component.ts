import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatRadioModule } from '@angular/material/radio';
import type { DownloadRequest, MyNode } from '@shoal/contract';
import { AuthService } from '../../core/auth/auth.service';
import { apiErrorMessage } from '../../core/http/api-error';
import { AgentInstallComponent } from '../../shared/agent-install.component';
import { CommandLineComponent } from '../../shared/command-line.component';
import { MyDownloadsService } from './my-downloads.service';

export interface SendToMachineData {
  resourceId: string;
  resourceName: string;
  /** The page's `shoal get` command, for a machine that will not run the agent as a service. */
  getCommand: string;
}

/**
 * "Send to my machine": pick one of your enrolled machines; its agent fetches the resource
 * into its download folder. With no machine yet, says how to get one set up (the agent
 * from this server, log in, enroll with a download folder) or to fetch it by command.
 * Closes with the new request.
 */
@Component({
  selector: 'app-send-to-machine-dialog',
  imports: [
    AgentInstallComponent,
    CommandLineComponent,
    MatButtonModule,
    MatDialogModule,
    MatIconModule,
    MatProgressBarModule,
    MatRadioModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './send-to-machine-dialog.component.html',
  styleUrl: './send-to-machine-dialog.component.scss',
})
export class SendToMachineDialogComponent {
  private readonly api = inject(MyDownloadsService);
  private readonly ref =
    inject<MatDialogRef<SendToMachineDialogComponent, DownloadRequest>>(MatDialogRef);
  protected readonly data = inject<SendToMachineData>(MAT_DIALOG_DATA);
  private readonly auth = inject(AuthService);

  protected readonly nodes = signal<MyNode[] | null>(null);
  protected readonly loadError = signal<string | null>(null);
  protected readonly selected = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly attempted = signal(false);

  private readonly origin = globalThis.location?.origin ?? '';
  protected readonly loginCommand = computed(() => {
    const user = this.auth.user()?.username;
    return `shoal login --server ${this.origin}${user ? ` --user ${user}` : ''}`;
  });
  protected readonly enrollCommand = computed(
    () => `shoal enroll --server ${this.origin} --download-dir ~/Downloads/shoal`,
  );
  /** The service runs as the user, on the data dir `shoal login` and `enroll` used. */
  protected readonly serviceCommand =
    'sudo shoal --data-dir ~/.local/share/shoal service install --user $USER && sudo systemctl enable --now shoal-agent';

  constructor() {
    this.api.nodes().subscribe({
      next: (nodes) => {
        this.nodes.set(nodes);
        // One machine, or one online among several: that is the likely pick.
        const online = nodes.filter((n) => n.online);
        const only = nodes.length === 1 ? nodes[0] : online.length === 1 ? online[0] : null;
        if (only) this.selected.set(only.id);
      },
      error: (err: unknown) => this.loadError.set(apiErrorMessage(err)),
    });
  }

  protected submit(): void {
    this.attempted.set(true);
    const nodeId = this.selected();
    if (!nodeId || this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.api.send({ resourceId: this.data.resourceId, nodeId }).subscribe({
      next: (request) => this.ref.close(request),
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(apiErrorMessage(err));
      },
    });
  }
}
