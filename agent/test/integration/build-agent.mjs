import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The CLI specs start `bin/shoal.js`, which loads the esbuild bundle in dist/bundle: build
 * it with `npm run build -w agent`, as users get it, so they never run code older than the
 * source.
 */
export default function buildAgent() {
  const res = spawnSync('npm', ['run', 'build', '-w', 'agent'], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    stdio: 'inherit',
  });
  if (res.status !== 0)
    throw new Error(`"npm run build -w agent" failed (${res.status ?? res.signal}): the CLI specs need its bundle`);
}
