import { resolve } from 'node:path';
import type { DataDir, NodeConfig } from '../data-dir.js';

/**
 * Changes this node's settings in node.json: `downloadDir` a folder, or false to accept no
 * download requests (commander's `--no-download-dir`). A running `shoal serve` reads the
 * download folder at each new download request, so no restart is needed.
 */
export async function configure(dataDir: DataDir, opts: { downloadDir?: string | false }): Promise<NodeConfig> {
  const config = await dataDir.requireNode();
  const next: NodeConfig = { ...config };
  if (typeof opts.downloadDir === 'string') next.downloadDir = resolve(opts.downloadDir);
  if (opts.downloadDir === false) delete next.downloadDir;
  if (JSON.stringify(next) !== JSON.stringify(config)) await dataDir.saveNodeConfig(next);
  return next;
}
