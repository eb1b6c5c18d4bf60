import type { Logger, Transfer } from '../../engine/index.js';
import { EXIT } from '../exit-codes.js';
import { ProgressReporter, type ProgressMode } from '../progress.js';
import type { Runtime } from '../runtime.js';
import { SharingReporter, type SharingEnd } from '../sharing.js';
import { sleep, untilSignal } from '../signals.js';

/**
 * Runs one transfer to completion, then keeps providing it for `seedMs` (null: until
 * interrupted). Returns the process exit code: 0 once the content is complete and verified,
 * however sharing it ends afterwards; 130 only when a signal came before completion.
 */
export async function runTransfer(
  runtime: Runtime,
  transfer: Transfer,
  opts: { seedMs: number | null; progress: ProgressMode; where?: string; onComplete?: () => Promise<void> },
  log: Logger,
): Promise<number> {
  const signal = untilSignal();
  const reporter = new ProgressReporter(runtime, transfer, opts.progress);
  const revoked = new Promise<'revoked'>((resolve) => transfer.once('revoked', () => resolve('revoked')));
  reporter.start();
  const outcome = await Promise.race([
    new Promise<'complete'>((resolve) =>
      transfer.isComplete() ? resolve('complete') : transfer.once('complete', () => resolve('complete')),
    ),
    new Promise<'failed'>((resolve) => transfer.once('failed', () => resolve('failed'))),
    revoked,
    signal.promise.then(() => 'signal' as const),
  ]);
  reporter.stop(outcome === 'complete' ? 'complete' : outcome === 'failed' ? 'failed' : 'stopped');
  if (outcome !== 'complete') {
    const code =
      outcome === 'revoked' ? EXIT.unauthorized : outcome === 'failed' ? EXIT.transferFailed : EXIT.interrupted;
    await closeOnce(runtime, signal, code, log);
    return code;
  }
  await opts.onComplete?.();
  const sharing = new SharingReporter(runtime, transfer, opts.progress, opts.where ?? '');
  sharing.start(opts.seedMs);
  let ended: SharingEnd | null = null;
  if (opts.seedMs !== 0) {
    ended = await Promise.race([
      signal.promise.then(() => 'signal' as const),
      revoked,
      ...(opts.seedMs === null ? [] : [sleep(opts.seedMs).then(() => 'seed-time' as const)]),
    ]);
  }
  sharing.stop(ended);
  await closeOnce(runtime, signal, EXIT.ok, log);
  return EXIT.ok;
}

/**
 * Closes the runtime (the tracker hears "stopped", connections close). Saying goodbye can
 * take a few seconds when the server is slow; a second Ctrl-C meanwhile ends the process
 * at once, with the exit code already decided, instead of Node's default 130.
 */
async function closeOnce(
  runtime: Runtime,
  signal: ReturnType<typeof untilSignal>,
  code: number,
  log: Logger,
): Promise<void> {
  signal.dispose();
  const again = () => process.exit(code);
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  log.log('info', 'telling the tracker this node stopped, closing connections');
  await runtime.close();
  process.off('SIGINT', again);
  process.off('SIGTERM', again);
}
