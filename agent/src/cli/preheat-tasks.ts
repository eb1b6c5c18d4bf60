import { parseManifest, PREHEAT_MANIFEST_PATH, type PreheatAssignment, type PreheatReport } from '@shoal/contract';
import type { Engine, Logger } from '../engine/index.js';
import { callApi, type NodeCaller } from './api-client.js';
import type { DataDir } from './data-dir.js';
import { FetchTasks } from './fetch-tasks.js';

/**
 * Preheat tasks of a seed server (`shoal serve`): each resource goes into the data dir's
 * `content/<resourceId>`, from where the seed provides it. Kept in `preheat.json`.
 */
export class PreheatTasks {
  private readonly tasks: FetchTasks;

  constructor(dataDir: DataDir, engine: Engine, server: () => { url: string; node: NodeCaller }, log: Logger) {
    this.tasks = new FetchTasks(
      dataDir,
      engine,
      'preheat.json',
      'preheat',
      async (jobId, resourceId) => {
        const held = (await dataDir.holdings()).find((h) => h.resourceId === resourceId);
        if (held?.complete) return { settled: 'done' };
        const { url, node } = server();
        const manifest = parseManifest(await callApi<string>(url, PREHEAT_MANIFEST_PATH(jobId), { node, raw: true }));
        return { manifest, root: dataDir.path('content', manifest.resourceId) };
      },
      log,
    );
  }

  get busy(): boolean {
    return this.tasks.busy;
  }

  async reports(): Promise<PreheatReport[]> {
    return (await this.tasks.reports()).map((r) => {
      const percent =
        r.state === 'done'
          ? 100
          : Math.max(0, Math.min(99, Math.floor((100 * r.doneBytes) / Math.max(1, r.totalBytes))));
      return { jobId: r.id, state: r.state, percent, ...(r.error ? { error: r.error } : {}) };
    });
  }

  apply(assigned: PreheatAssignment[], cancelled: string[]): Promise<void> {
    return this.tasks.apply(
      assigned.map((a) => ({ id: a.jobId, resourceId: a.resourceId })),
      cancelled,
    );
  }
}
