// nginx serving one directory on loopback (baseline for plain HTTP), started in the foreground.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, sleep, tempDir, track } from './shoal.mjs';

export function ensureDebianPackages(pkgs) {
  const missing = pkgs.filter(([bin]) => { try { execFileSync('bash', ['-c', `command -v ${bin}`], { stdio: 'ignore' }); return false; } catch { return true; } });
  if (!missing.length) return;
  const names = missing.map(([, pkg]) => pkg);
  console.error(`installing Debian packages: ${names.join(' ')}`);
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...names], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

export async function startNginx(root) {
  ensureDebianPackages([['nginx', 'nginx']]);
  const d = tempDir('nginx');
  const port = await freePort();
  mkdirSync(join(d, 'tmp'), { recursive: true });
  writeFileSync(join(d, 'nginx.conf'), `user root;
worker_processes 2;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; tcp_nopush on; default_type application/octet-stream;
  client_body_temp_path ${d}/tmp/body; proxy_temp_path ${d}/tmp/proxy; fastcgi_temp_path ${d}/tmp/fcgi;
  uwsgi_temp_path ${d}/tmp/uwsgi; scgi_temp_path ${d}/tmp/scgi;
  server { listen 127.0.0.1:${port}; root ${root}; }
}
`);
  const child = track(spawn('nginx', ['-p', d, '-e', `${d}/error.log`, '-c', `${d}/nginx.conf`, '-g', 'daemon off;'], { stdio: 'ignore' }));
  for (let i = 0; i < 100; i++) {
    try { const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' }); if (r.status) break; } catch { /* not yet */ }
    await sleep(50);
  }
  // The master and its workers, for the CPU they spend serving.
  const pids = () => {
    try {
      return [child.pid, ...readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)];
    } catch {
      return [child.pid];
    }
  };
  return { url: `http://127.0.0.1:${port}`, pids, stop: async () => { if (child.exitCode === null) { const e = new Promise((r) => child.once('exit', r)); child.kill('SIGTERM'); await e; } } };
}
