import { readFile } from 'node:fs/promises';
import { parseManifest, PREHEAT_MANIFEST_PATH, type PreheatAssignment, type PreheatReport } from '@shoal/contract';
import { specFromManifest, type Engine, type Logger } from '../engine/index.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { callApi, type NodeCaller } from './api-client.js';
import type { DataDir } from './data-dir.js';

interface TaskState {
  resourceId: string;
  totalSize: number;
  state: 'running' | 'done' | 'failed';
  error?: string;
}

/**
 * Preheat tasks of a seed server (`shoal serve`): the server hands them out in heartbeat
 * answers; each becomes an ordinary holding that `serve` downloads through the swarm and
 * then provides. Progress goes back in the next heartbeats. Kept in `preheat.json` so a
 * restart neither loses nor repeats a task.
 */
export class PreheatTasks {
  private tasks: Record<string, TaskState> | null = null;

  constructor(
    private readonly dataDir: DataDir,
    private readonly engine: Engine,
    private readonly server: () => { url: string; node: NodeCaller },
    private readonly log: Logger,
  ) {}

  /** True while some task is fetching: heartbeats then come every few seconds to show progress. */
  get busy(): boolean {
    return Object.values(this.tasks ?? {}).some((t) => t.state === 'running');
  }

  /** What to tell the server about each task in the next heartbeat. */
  async reports(): Promise<PreheatReport[]> {
    const tasks = await this.load();
    return Object.entries(tasks).map(([jobId, t]) => {
      const transfer = this.engine.transfer(t.resourceId);
      const complete = t.state === 'done' || (transfer?.isComplete() ?? false);
      const done = transfer && t.totalSize > 0 ? t.totalSize - transfer.bytesLeft() : 0;
      const percent = complete ? 100 : Math.max(0, Math.min(99, Math.floor((100 * done) / Math.max(1, t.totalSize))));
      if (t.state === 'failed') return { jobId, state: 'failed' as const, percent, error: t.error };
      return { jobId, state: complete ? ('done' as const) : ('running' as const), percent };
    });
  }

  /** Starts new tasks and stops cancelled ones, as the heartbeat answer says. */
  async apply(assigned: PreheatAssignment[], cancelled: string[]): Promise<void> {
    const tasks = await this.load();
    for (const a of assigned) {
      if (tasks[a.jobId]) continue;
      tasks[a.jobId] = await this.start(a);
    }
    for (const jobId of cancelled) {
      const t = tasks[jobId];
      if (!t) continue;
      delete tasks[jobId];
      if (t.state === 'running') {
        await this.engine.remove(t.resourceId);
        await this.dataDir.removeHolding(t.resourceId);
        this.log.log('info', `preheat ${jobId} cancelled: stopped fetching ${t.resourceId}`);
      }
    }
    // Finished tasks are reported once more as done, then forgotten when the server stops assigning them.
    const assignedIds = new Set(assigned.map((a) => a.jobId));
    for (const [jobId, t] of Object.entries(tasks)) {
      if (t.state !== 'running' && !assignedIds.has(jobId)) delete tasks[jobId];
      else if (t.state === 'running' && this.engine.transfer(t.resourceId)?.isComplete()) t.state = 'done';
    }
    await this.save(tasks);
  }

  private async start(a: PreheatAssignment): Promise<TaskState> {
    const held = (await this.dataDir.holdings()).find((h) => h.resourceId === a.resourceId);
    if (held?.complete) return { resourceId: a.resourceId, totalSize: 0, state: 'done' };
    try {
      const { url, node } = this.server();
      const text = await callApi<string>(url, PREHEAT_MANIFEST_PATH(a.jobId), { node, raw: true });
      const manifest = parseManifest(text);
      const spec = specFromManifest(manifest);
      const root = this.dataDir.path('content', manifest.resourceId);
      // `serve` picks the new holding up on its next scan and fetches it through the swarm.
      await this.dataDir.saveHolding(
        { resourceId: manifest.resourceId, name: manifest.name, root, complete: false, include: [] },
        spec,
      );
      this.log.log('info', `preheat ${a.jobId}: fetching ${manifest.name} (${manifest.resourceId}) into ${root}`);
      return { resourceId: a.resourceId, totalSize: manifest.totalSize, state: 'running' };
    } catch (err) {
      this.log.log('warn', `preheat ${a.jobId} failed: ${(err as Error).message}`);
      return { resourceId: a.resourceId, totalSize: 0, state: 'failed', error: (err as Error).message.slice(0, 400) };
    }
  }

  private async load(): Promise<Record<string, TaskState>> {
    if (!this.tasks) {
      try {
        this.tasks = JSON.parse(await readFile(this.dataDir.path('preheat.json'), 'utf8')) as Record<string, TaskState>;
      } catch {
        this.tasks = {};
      }
    }
    return this.tasks;
  }

  private async save(tasks: Record<string, TaskState>): Promise<void> {
    await writeJsonAtomic(this.dataDir.path('preheat.json'), tasks, { indent: 2 });
  }
}
