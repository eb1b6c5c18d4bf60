/**
 * Server hardening against anonymous and local attackers, on a real server process:
 * bounded bodies before authentication, a private data dir, lock-outs that cannot be
 * turned against a real user.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

/** Sends `size` bytes of a JSON body and resolves with the status once the server answers (it may close early). */
function postHuge(url: string, path: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(size) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err) => reject(err));
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(sent <= size ? chunk : chunk.subarray(0, chunk.length - (sent - size))))
          return req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('server hardening', () => {
  let server: RunningServer;
  let anon: Api;

  beforeAll(async () => {
    server = await startServer({ db: 'sqlite' });
    anon = new Api(server.url);
  });
  afterAll(async () => server?.destroy());

  it('answers a 100 MB anonymous login body 413 in the error format', async () => {
    const status = await postHuge(server.url, '/api/auth/login', 100 * 1024 * 1024).catch(() => 413);
    expect(status).toBe(413);
    const small = await anon.request('POST', '/api/auth/login', ' '.repeat(2 * 1024 * 1024), {
      'content-type': 'application/json',
    });
    expect(small.status).toBe(413);
    expect(small.body.code).toBe('payload_too_large');
    expect((await anon.get('/health')).status).toBe(200);
  });

  it('answers deeply nested JSON 400, never 500', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const res = await anon.request('POST', '/api/auth/login', deep, { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('json_too_deep');
  });

  it('keeps its data dir and database private', () => {
    expect(statSync(server.dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(server.dataDir, 'shoal.sqlite')).mode & 0o777).toBe(0o600);
  });

  it('ignores X-Forwarded-For without SHOAL_TRUSTED_PROXIES; a spraying attacker cannot lock out admin at a known-good address', async () => {
    // admin's successful login makes this address known good for admin.
    expect((await anon.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
    for (let i = 0; i < 110; i++) {
      await anon.request(
        'POST',
        '/api/auth/login',
        { username: `nobody-${i}`, password: 'wrong-password' },
        { 'x-forwarded-for': `198.51.100.${i % 250}` },
      );
    }
    // The forged addresses were ignored: every failure counted against this one address.
    const blocked = await anon.post('/api/auth/login', { username: 'nobody-new', password: 'wrong-password' });
    expect(blocked.status).toBe(429);
    expect((await anon.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
    const audit = await (await anon.login('admin', ADMIN_PASSWORD)).get('/api/admin/audit?size=200');
    const actions = audit.body.items.map((e: { action: string; address: string }) => `${e.action}@${e.address}`);
    expect(actions).toEqual(expect.arrayContaining(['auth.login-failed@127.0.0.1', 'auth.lockout@127.0.0.1']));
  });
});
