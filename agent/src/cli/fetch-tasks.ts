import { readFile } from 'node:fs/promises';
import type { Manifest } from '@shoal/contract';
import { specFromManifest, type Engine, type Logger } from '../engine/index.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import type { DataDir } from './data-dir.js';

interface TaskState {
  resourceId: string;
  totalSize: number;
  state: 'running' | 'done' | 'failed';
  error?: string;
}

/** What to tell the server about one task. */
export interface FetchProgress {
  id: string;
  state: 'running' | 'done' | 'failed';
  doneBytes: number;
  totalBytes: number;
  error?: string;
}

/** Where a new task's resource goes, or how the task ends at once (already held, refused). */
export type Placement =
  { manifest: Manifest; root: string } | { settled: 'done' | 'failed'; error?: string; totalSize?: number };

/**
 * What the server hands a `shoal serve` in heartbeat answers for it to fetch (preheat tasks,
 * download requests): each becomes an ordinary holding that `serve` downloads through the
 * swarm and then provides. Progress goes back in the next heartbeats. Kept in a JSON file
 * of the data dir so a restart neither loses nor repeats a task. `place` decides, per kind,
 * where a task's resource goes.
 */
export class FetchTasks {
  private tasks: Record<string, TaskState> | null = null;

  constructor(
    private readonly dataDir: DataDir,
    private readonly engine: Engine,
    private readonly file: string,
    private readonly label: string,
    private readonly place: (id: string, resourceId: string) => Promise<Placement>,
    private readonly log: Logger,
  ) {}

  /** True while some task is fetching: heartbeats then come every few seconds to show progress. */
  get busy(): boolean {
    return Object.values(this.tasks ?? {}).some((t) => t.state === 'running');
  }

  async reports(): Promise<FetchProgress[]> {
    const tasks = await this.load();
    return Object.entries(tasks).map(([id, t]) => {
      const transfer = this.engine.transfer(t.resourceId);
      const complete = t.state === 'done' || (t.state === 'running' && (transfer?.isComplete() ?? false));
      const left = transfer ? transfer.bytesLeft() : t.totalSize;
      const doneBytes = complete ? t.totalSize : Math.max(0, Math.min(t.totalSize, t.totalSize - left));
      if (t.state === 'failed') return { id, state: 'failed', doneBytes, totalBytes: t.totalSize, error: t.error };
      return { id, state: complete ? 'done' : 'running', doneBytes, totalBytes: t.totalSize };
    });
  }

  /** Starts new tasks and stops cancelled ones, as the heartbeat answer says. */
  async apply(assigned: { id: string; resourceId: string }[], cancelled: string[]): Promise<void> {
    const tasks = await this.load();
    for (const a of assigned) {
      if (tasks[a.id]) continue;
      tasks[a.id] = await this.start(a.id, a.resourceId);
    }
    for (const id of cancelled) {
      const t = tasks[id];
      if (!t) continue;
      delete tasks[id];
      if (t.state === 'running') {
        await this.engine.remove(t.resourceId);
        await this.dataDir.removeHolding(t.resourceId);
        this.log.log('info', `${this.label} ${id} cancelled: stopped fetching ${t.resourceId}`);
      }
    }
    // Finished tasks are reported once more as done, then forgotten when the server stops assigning them.
    const assignedIds = new Set(assigned.map((a) => a.id));
    for (const [id, t] of Object.entries(tasks)) {
      if (t.state !== 'running' && !assignedIds.has(id)) delete tasks[id];
      else if (t.state === 'running' && this.engine.transfer(t.resourceId)?.isComplete()) t.state = 'done';
    }
    await this.save(tasks);
  }

  private async start(id: string, resourceId: string): Promise<TaskState> {
    try {
      const placed = await this.place(id, resourceId);
      if ('settled' in placed) {
        if (placed.error) this.log.log('warn', `${this.label} ${id} failed: ${placed.error}`);
        return { resourceId, totalSize: placed.totalSize ?? 0, state: placed.settled, error: placed.error };
      }
      const { manifest, root } = placed;
      // `serve` picks the new holding up on its next scan and fetches it through the swarm.
      await this.dataDir.saveHolding(
        { resourceId: manifest.resourceId, name: manifest.name, root, complete: false, include: [] },
        specFromManifest(manifest),
      );
      this.log.log('info', `${this.label} ${id}: fetching ${manifest.name} (${manifest.resourceId}) into ${root}`);
      return { resourceId, totalSize: manifest.totalSize, state: 'running' };
    } catch (err) {
      this.log.log('warn', `${this.label} ${id} failed: ${(err as Error).message}`);
      return { resourceId, totalSize: 0, state: 'failed', error: (err as Error).message.slice(0, 400) };
    }
  }

  private async load(): Promise<Record<string, TaskState>> {
    if (!this.tasks) {
      try {
        this.tasks = JSON.parse(await readFile(this.dataDir.path(this.file), 'utf8')) as Record<string, TaskState>;
      } catch {
        this.tasks = {};
      }
    }
    return this.tasks;
  }

  private async save(tasks: Record<string, TaskState>): Promise<void> {
    await writeJsonAtomic(this.dataDir.path(this.file), tasks, { indent: 2 });
  }
}
