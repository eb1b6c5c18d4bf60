import type { Logger, TransferSpec } from '../../engine/index.js';
import type { DataDir, Holding } from '../data-dir.js';
import { EXIT } from '../exit-codes.js';
import type { Runtime } from '../runtime.js';
import { ServeStatus, type ServeOutput } from '../serve-status.js';
import { untilSignal } from '../signals.js';

const RESCAN_MS = 5_000;

/** Provides (or resumes) every holding of the data dir; picks up new ones as publish/get add them. */
export async function serve(runtime: Runtime, dataDir: DataDir, output: ServeOutput, log: Logger): Promise<number> {
  const signal = untilSignal();
  const status = new ServeStatus(runtime, output);
  const start = async (h: Holding, spec: TransferSpec) => {
    if (h.complete) {
      runtime.engine.provide(spec, h.root, h.hashedFiles).once('revoked', () => runtime.markRevoked());
      log.log('debug', `providing ${h.name} (${h.resourceId}) from ${h.root}`);
      return;
    }
    const transfer = await runtime.engine.download(spec, h.root, h.include);
    transfer.once('revoked', () => runtime.markRevoked());
    log.log('debug', `resuming ${h.name} (${h.resourceId}) into ${h.root}`);
    const markComplete = () => void dataDir.saveHolding({ ...h, complete: true }, spec);
    // A download complete at start was finalized before download() returned: no 'complete' follows.
    if (transfer.isComplete()) markComplete();
    else transfer.once('complete', markComplete);
  };
  const scan = async () => {
    for (const h of await dataDir.holdings()) {
      if (runtime.engine.transfer(h.resourceId)) continue;
      const spec = await dataDir.spec(h.resourceId);
      if (!spec) continue;
      await start(h, spec).catch((err: Error) => log.log('error', `cannot provide ${h.resourceId}: ${err.message}`));
    }
    status.refresh();
  };
  await scan();
  runtime.startHeartbeats();
  log.log(
    'info',
    `serving on ${runtime.engine.addresses().join(', ') || '(no listen address)'}; SIGTERM stops cleanly`,
  );
  status.start();
  const timer = setInterval(() => void scan(), RESCAN_MS);
  const sig = await Promise.race([signal.promise, runtime.revoked.then(() => null)]);
  clearInterval(timer);
  signal.dispose();
  status.stop(sig === null ? 'revoked' : sig);
  if (sig === null) {
    // Peers refuse a revoked node once they hear of it; until then it must not serve them
    // either, nor come back with the next rescan.
    log.log('error', 'this node has been revoked by an admin: no longer providing anything; run "shoal enroll" again');
    await runtime.close();
    return EXIT.unauthorized;
  }
  log.log('info', `${sig}: announcing stop and closing connections`);
  await runtime.close();
  return EXIT.ok;
}
