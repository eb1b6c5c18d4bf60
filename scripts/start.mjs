#!/usr/bin/env node
/**
 * `npm start`: builds the portal on first start (the server, agent and contract are
 * built by `npm ci`), then runs the server in this very process on the embedded default.
 *
 * In this process, not a child: SIGTERM and SIGINT then reach the server's own shutdown
 * hooks with nobody in between to lose them, and nothing is left listening when it exits.
 * The npm script `exec`s this file for the same reason: npm hands signals to its child, and
 * the `sh -c` it would otherwise put in between dies of SIGTERM without passing it on.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
if (!existsSync(join(root, 'server/dist/main.js'))) {
  if (spawnSync('npm', ['run', 'build:core'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
}
if (!existsSync(join(root, 'admin-portal/dist/admin-portal/browser/index.html'))) {
  const res = spawnSync('npm', ['run', 'build', '--if-present', '-w', 'admin-portal'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) console.error('portal build failed; starting the server without the portal');
}
// Relative settings (SHOAL_DATA_DIR=./data by default) are relative to the checkout.
process.chdir(root);
await import(pathToFileURL(join(root, 'server/dist/main.js')).href);
