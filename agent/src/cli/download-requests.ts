import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  DOWNLOAD_REQUEST_MANIFEST_PATH,
  NO_DOWNLOAD_DIR_ERROR,
  parseManifest,
  type DownloadAssignment,
  type DownloadReport,
} from '@shoal/contract';
import { folderNameFor, mkdirInside, type Engine, type Logger } from '../engine/index.js';
import { callApi, type NodeCaller } from './api-client.js';
import type { DataDir } from './data-dir.js';
import { FetchTasks } from './fetch-tasks.js';

/**
 * Download requests a user sent to this machine from the portal ("Send to my machine").
 * Each resource goes into its own folder under the download folder chosen at enrollment
 * (`downloadDir` in node.json), named after the resource: a name the server passes on
 * from whoever published it, so it is made safe and the folder is created refusing links.
 * Afterwards `serve` keeps providing it, as after a `shoal get`. Kept in `download-requests.json`.
 */
export class DownloadRequests {
  private readonly tasks: FetchTasks;

  constructor(dataDir: DataDir, engine: Engine, server: () => { url: string; node: NodeCaller }, log: Logger) {
    this.tasks = new FetchTasks(
      dataDir,
      engine,
      'download-requests.json',
      'download request',
      async (requestId, resourceId) => {
        // Read at each request, so a `shoal config --download-dir` applies without a restart.
        const config = await dataDir.requireNode();
        if (!config.downloadDir) return { settled: 'failed', error: NO_DOWNLOAD_DIR_ERROR };
        const downloadDir = resolve(config.downloadDir);
        const { url, node } = server();
        const manifest = parseManifest(
          await callApi<string>(url, DOWNLOAD_REQUEST_MANIFEST_PATH(requestId), { node, raw: true }),
        );
        const folder = folderNameFor(manifest.name, manifest.resourceId);
        const root = resolve(downloadDir, folder);
        const held = (await dataDir.holdings()).find((h) => h.resourceId === resourceId);
        if (held) {
          // The engine runs one transfer per resource: one already held elsewhere stays there.
          if (resolve(held.root) === root && held.complete) return { settled: 'done', totalSize: manifest.totalSize };
          if (resolve(held.root) !== root)
            return { settled: 'failed', error: `this machine already keeps this resource in ${held.root}` };
        }
        await mkdir(downloadDir, { recursive: true });
        return { manifest, root: await mkdirInside(downloadDir, folder) };
      },
      log,
    );
  }

  get busy(): boolean {
    return this.tasks.busy;
  }

  async reports(): Promise<DownloadReport[]> {
    return (await this.tasks.reports()).map(({ id, ...r }) => ({ requestId: id, ...r }));
  }

  apply(assigned: DownloadAssignment[], cancelled: string[]): Promise<void> {
    return this.tasks.apply(
      assigned.map((a) => ({ id: a.requestId, resourceId: a.resourceId })),
      cancelled,
    );
  }
}
