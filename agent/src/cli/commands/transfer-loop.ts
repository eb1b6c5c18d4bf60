import type { Logger, Transfer } from '../../engine/index.js';
import { EXIT } from '../exit-codes.js';
import { ProgressReporter, type ProgressMode } from '../progress.js';
import type { Runtime } from '../runtime.js';
import { sleep, untilSignal } from '../signals.js';

/**
 * Runs one transfer to completion, then keeps providing it for `seedMs` (null: until
 * interrupted). Returns the process exit code: 0 only when the content is complete and verified.
 */
export async function runTransfer(
  runtime: Runtime,
  transfer: Transfer,
  opts: { seedMs: number | null; progress: ProgressMode; onComplete?: () => Promise<void> },
  log: Logger,
): Promise<number> {
  const signal = untilSignal();
  const reporter = new ProgressReporter(runtime, transfer, opts.progress);
  reporter.start();
  const outcome = await Promise.race([
    new Promise<'complete'>((resolve) =>
      transfer.isComplete() ? resolve('complete') : transfer.once('complete', () => resolve('complete')),
    ),
    new Promise<'failed'>((resolve) => transfer.once('failed', () => resolve('failed'))),
    new Promise<'revoked'>((resolve) => transfer.once('revoked', () => resolve('revoked'))),
    signal.promise.then(() => 'signal' as const),
  ]);
  reporter.stop(outcome === 'complete' ? 'complete' : outcome === 'failed' ? 'failed' : 'stopped');
  if (outcome !== 'complete') {
    signal.dispose();
    await runtime.close();
    if (outcome === 'revoked') return EXIT.unauthorized;
    return outcome === 'failed' ? EXIT.transferFailed : EXIT.interrupted;
  }
  await opts.onComplete?.();
  if (opts.seedMs !== 0) {
    log.log(
      'info',
      opts.seedMs === null
        ? 'complete; providing it to others until interrupted'
        : `complete; providing it for ${opts.seedMs / 1000}s`,
    );
    await Promise.race([signal.promise, ...(opts.seedMs === null ? [] : [sleep(opts.seedMs)])]);
  }
  signal.dispose();
  await runtime.close();
  return EXIT.ok;
}
