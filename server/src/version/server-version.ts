import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  /** Written by `npm run package` into the server tarball, which has no git history to ask. */
  gitHead?: string;
};

/** This server's release (its package.json) and, where it can tell, the commit it was built from. */
export const SERVER_RELEASE: string = PACKAGE.version;

export const SERVER_COMMIT: string = commitOf();

function commitOf(): string {
  const given = process.env.SHOAL_COMMIT?.trim();
  if (given && /^[0-9a-f]{7,40}$/.test(given)) return given;
  if (PACKAGE.gitHead && /^[0-9a-f]{7,40}$/.test(PACKAGE.gitHead)) return PACKAGE.gitHead;
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
