/**
 * A node sends its credential and proofs to its tracker for as long as it runs, and a
 * tracker can tell it that it is revoked. `shoal enroll` therefore takes the tracker only
 * at the origin of the server it enrolled with: a server that names another one (e.g. a
 * SHOAL_PUBLIC_URL left at its default while agents reach it elsewhere, where any local
 * user could bind the port) is refused with the fix, and nothing is saved.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, freePort, startServer, type RunningServer } from '../harness/server.js';

describe('enrolling with a server that names a tracker elsewhere', () => {
  let server: RunningServer;
  let admin: Api;
  let elsewhere: string;

  beforeAll(async () => {
    elsewhere = `http://127.0.0.1:${await freePort()}`;
    server = await startServer({ env: { SHOAL_PUBLIC_URL: elsewhere, SHOAL_BUILTIN_SEED: 'off' } });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('is refused with what to set on the server, and leaves the data dir without an identity', async () => {
    const seed = new Agent('tracker-elsewhere');
    const token = await admin.post('/api/admin/enrollment-tokens', { role: 'seed' });
    const res = await seed.run([
      'enroll',
      '--server',
      server.url,
      '--token',
      token.body.token,
      '--role',
      'seed',
      '--name',
      'seed-x',
      '--listen',
      '127.0.0.1:0',
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`the server names its tracker at "${elsewhere}/api/tracker/announce"`);
    expect(res.stderr).toContain('set SHOAL_PUBLIC_URL on the server');
    expect(existsSync(join(seed.dataDir, 'node.json'))).toBe(false);
  });
});
