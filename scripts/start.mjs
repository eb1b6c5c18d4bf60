#!/usr/bin/env node
/**
 * `npm start`: builds the portal on first start (the server, agent and contract are
 * built by `npm ci`), then runs the server in the foreground on the embedded default.
 */
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
if (!existsSync(join(root, 'server/dist/main.js'))) {
  if (spawnSync('npm', ['run', 'build:core'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
}
if (!existsSync(join(root, 'admin-portal/dist/admin-portal/browser/index.html'))) {
  const res = spawnSync('npm', ['run', 'build', '--if-present', '-w', 'admin-portal'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) console.error('portal build failed; starting the server without the portal');
}
const server = spawn(process.execPath, [join(root, 'server/dist/main.js')], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));
server.on('exit', (code) => process.exit(code ?? 0));
