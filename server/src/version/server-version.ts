import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** This server's release (its package.json) and, where it can tell, the commit it was built from. */
export const SERVER_RELEASE: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export const SERVER_COMMIT: string = commitOf();

function commitOf(): string {
  const given = process.env.SHOAL_COMMIT?.trim();
  if (given && /^[0-9a-f]{7,40}$/.test(given)) return given;
  try {
    const dir = new URL('../../..', import.meta.url).pathname;
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short=12', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    }).trim();
  } catch {
    return 'unknown';
  }
}
