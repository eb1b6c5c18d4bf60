/**
 * The seed built into the server applies revocations as every agent does: once an admin
 * revokes a machine, the built-in seed's next heartbeat brings the revocation and it refuses
 * that machine, even with a ticket it was given before (credentials and tickets stay valid
 * for hours on their own).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specFromManifest, type Engine, type TransferSpec } from '@shoal/agent';
import { HEARTBEAT_INTERVAL_SECONDS, parseManifest } from '@shoal/contract';
import { Api } from '../harness/api-client.js';
import { startEngineMachine, type EngineMachine } from '../harness/engine-machine.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';
import { until } from '../harness/wait.js';
import { uploadedId } from '../harness/uploads.js';

describe('the built-in seed and a revoked machine', () => {
  let server: RunningServer;
  let admin: Api;
  let member: Api;
  const engines: Engine[] = [];

  beforeAll(async () => {
    server = await startServer();
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    await admin.post('/api/admin/users', { username: 'rita', password: 'rita-password-1', role: 'member' });
    member = await new Api(server.url).login('rita', 'rita-password-1');
  });

  afterAll(async () => {
    for (const e of engines) await e.stop();
    await server?.destroy();
  });

  /** One of rita's machines, running the engine with no listener; what it logs is kept. */
  async function machine(name: string): Promise<EngineMachine> {
    const m = await startEngineMachine(member, name);
    engines.push(m.engine);
    return m;
  }

  it('refuses the machine after its next heartbeat, with the ticket it was given before', async () => {
    const content = randomBytes(400_000);
    const resourceId = await uploadedId(server.url, admin.token!, { name: 'tool', filename: 'tool.bin' }, content);

    const laptop = await machine('rita-laptop');
    const manifest = parseManifest(
      (await member.get(`/api/resources/${resourceId}/manifest?node=${laptop.nodeId}`)).text,
    );
    expect(manifest.seeds.map((s) => s.name)).toContain('builtin-seed');
    // Straight to the built-in seed, as a machine that kept its manifest would dial it.
    const spec: TransferSpec = { ...specFromManifest(manifest), trackerUrl: null };

    expect((await admin.post(`/api/admin/nodes/${laptop.nodeId}/revoke`)).status).toBe(200);
    const revokedFile = join(server.dataDir, 'builtin-seed', 'state', 'revoked.json');
    await until(
      'the built-in seed to learn of the revocation',
      () => existsSync(revokedFile) && readFileSync(revokedFile, 'utf8').includes(laptop.nodeId),
      { timeoutMs: (HEARTBEAT_INTERVAL_SECONDS + 15) * 1000 },
    );

    const download = await laptop.engine.download(spec, mkdtempSync(join(tmpdir(), 'shoal-revoked-out-')));
    const refusal = await until(
      'the built-in seed to refuse the revoked machine',
      () => laptop.lines.find((l) => l.includes('peer refused us: ')),
      { timeoutMs: 20_000, detail: () => laptop.lines.slice(-10).join('\n') },
    );
    expect(refusal).toContain(`node ${laptop.nodeId} is revoked`);
    expect(download.stats.downloaded).toBe(0);
    await laptop.engine.remove(resourceId);
  }, 90_000);
});
