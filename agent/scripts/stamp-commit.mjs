// Writes the commit this agent is built from into dist/build-info.js, after tsc and before
// the bundles are made from dist, so `shoal --version` names it wherever the agent runs
// (the bundle, the single-file executable) without asking git at every start.
// The commit is SHOAL_COMMIT if set (a build from a tarball has no .git), else git's HEAD.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

function commit() {
  const given = process.env.SHOAL_COMMIT?.trim();
  if (given) {
    if (!/^[0-9a-f]{7,40}$/.test(given)) throw new Error(`SHOAL_COMMIT=${given} is not a git commit (7-40 hex digits)`);
    return given;
  }
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    return null;
  }
}

const file = new URL('../dist/build-info.js', import.meta.url);
writeFileSync(file, `export const AGENT_COMMIT = ${JSON.stringify(commit())};\n`);
