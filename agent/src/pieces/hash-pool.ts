import { webcrypto } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface HashRange {
  path: string;
  offset: number;
  length: number;
}

interface Task {
  ranges: HashRange[];
  resolve: (hash: string) => void;
  reject: (e: Error) => void;
}

/*
 * The worker is evaluated from source so the same code runs from dist/ and under jest
 * (which cannot load a .ts worker file). It hashes file ranges it reads itself, so publish
 * and re-verification never move file bytes through the main thread.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const scratch = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', (msg) => {
  try {
    const h = createHash('sha256');
    for (const r of msg.ranges) {
      const fd = fs.openSync(r.path, 'r');
      try {
        let done = 0;
        while (done < r.length) {
          const n = fs.readSync(fd, scratch, 0, Math.min(scratch.length, r.length - done), r.offset + done);
          if (n === 0) throw new Error('file shorter than expected: ' + r.path);
          h.update(scratch.subarray(0, n));
          done += n;
        }
      } finally {
        fs.closeSync(fd);
      }
    }
    parentPort.postMessage({ hash: h.digest('hex') });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

/**
 * SHA-256 of pieces off the event loop. Pieces in memory (received, or read to be served) go
 * to libuv's thread pool through WebCrypto; file ranges (publish, resume checks) to worker
 * threads, one per core, that read the files themselves.
 */
export class HashPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Task[] = [];
  private destroyed = false;

  /**
   * Workers start on first use, not here: a downloader's first seconds are spent connecting,
   * and in a swarm every one of them starts at the same moment on shared cores.
   */
  constructor(private readonly size = Math.max(1, Math.min(availableParallelism(), 8))) {}

  /**
   * SHA-256 (hex) of a piece held in memory, on libuv's thread pool (WebCrypto's digest copies
   * the bytes first, a few per cent of the hash's cost). A downloader or seed thus starts no
   * worker thread: in a swarm of short transfers, booting two workers per process and a
   * message round trip per piece cost more CPU than the hashing (docs/benchmarks.md §9).
   * Resolves with the same `data`, which the caller may reuse at once.
   */
  async hashBuffer(data: Buffer): Promise<{ hash: string; data: Buffer }> {
    if (this.destroyed) throw new Error('hash pool closed');
    const digest = await webcrypto.subtle.digest('SHA-256', data);
    return { hash: Buffer.from(digest).toString('hex'), data };
  }

  /** SHA-256 (hex) of the concatenation of file ranges, read by the worker. */
  hashRanges(ranges: HashRange[]): Promise<string> {
    return new Promise((resolve, reject) => this.enqueue({ ranges, resolve, reject }));
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('hash pool closed'));
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private enqueue(task: Task): void {
    if (this.destroyed) return task.reject(new Error('hash pool closed'));
    this.queue.push(task);
    this.pump();
  }

  private pump(): void {
    while (this.idle.length === 0 && this.all.length < this.size && this.queue.length > this.all.length) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      this.all.push(w);
      this.idle.push(w);
    }
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.run(worker, task);
    }
  }

  private run(worker: Worker, task: Task): void {
    worker.ref();
    const done = (): void => {
      worker.removeAllListeners('message');
      worker.removeAllListeners('error');
      worker.unref();
      this.idle.push(worker);
      this.pump();
    };
    worker.once('error', (err) => {
      done();
      task.reject(err);
    });
    worker.once('message', (msg: { hash?: string; error?: string }) => {
      done();
      if (msg.error || !msg.hash) task.reject(new Error(msg.error ?? 'no hash'));
      else task.resolve(msg.hash);
    });
    worker.postMessage({ ranges: task.ranges });
  }
}
