/**
 * One member's machines cannot lock a seed server: real `shoal` processes against the real
 * server. A member runs six slow downloads from six self-enrolled machines against a seed
 * that takes four peers; another member's download still completes, and the seed says
 * whom it turned away and why.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, freePort, startServer, type RunningServer } from '../harness/server.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The claims of the credential an agent saved, {} before it enrolled (no check: the server signed it for this agent). */
const claimsOf = (agent: Agent): Record<string, unknown> => {
  if (!existsSync(join(agent.dataDir, 'node.json'))) return {};
  const node = JSON.parse(readFileSync(join(agent.dataDir, 'node.json'), 'utf8')) as { credential: string };
  return JSON.parse(Buffer.from(node.credential.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
};

describe('peer slots of a seed shared between owners', () => {
  let server: RunningServer;
  const running: ShoalProcess[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { SHOAL_BUILTIN_SEED: 'off' } });
  });
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  it("serves another member while one member's six machines try to hold every slot", async () => {
    const admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    const members = new Map<string, string>();
    for (const name of ['hoarder', 'honest']) {
      const created = await admin.post('/api/admin/users', {
        username: name,
        password: `${name}-pass-123`,
        role: 'member',
      });
      expect(created.status).toBe(201);
      members.set(name, created.body.id as string);
    }

    const seed = new Agent('slots-seed');
    await seed.enroll(admin, { role: 'seed', name: 'slots-seed', listen: `127.0.0.1:${await freePort()}` });
    await seed.login(server.url, 'admin', ADMIN_PASSWORD);
    mkdirSync(join(seed.dataDir, 'content'));
    const content = randomBytes(4 * 1024 * 1024);
    writeFileSync(join(seed.dataDir, 'content', 'payload.bin'), content);
    const resourceId = await seed.publish(join(seed.dataDir, 'content', 'payload.bin'));
    // Four peer slots: an eighth of them, at least two, for one owner.
    const serve = seed.spawn(['serve', '--max-peers', '4']);
    running.push(serve);
    for (let i = 0; i < 100 && !serve.stderr().includes('serving on'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(serve.stderr()).toContain('serving on');

    // Six machines of one member, each enrolling itself with the member's login, downloading at 8 KiB/s.
    const hoard: Agent[] = [];
    for (let i = 0; i < 6; i++) {
      const agent = new Agent(`hoard-${i}`);
      await agent.login(server.url, 'hoarder', 'hoarder-pass-123');
      hoard.push(agent);
      running.push(
        agent.spawn([
          'get',
          resourceId,
          '-o',
          join(agent.dataDir, 'out'),
          '--download-limit',
          '8k',
          '--seed-time',
          '0',
        ]),
      );
    }
    const refusedHoarders = () => (serve.stderr().match(/refused .*too many peers of one owner/g) ?? []).length;
    for (let i = 0; i < 600 && refusedHoarders() < 4; i++) await new Promise((r) => setTimeout(r, 100));
    expect(refusedHoarders()).toBeGreaterThanOrEqual(4);
    // The machines enrolled themselves, so their credentials name the member who did.
    for (let i = 0; i < 100 && !hoard.every((a) => claimsOf(a).own); i++) await new Promise((r) => setTimeout(r, 100));
    expect(hoard.map((a) => claimsOf(a).own)).toEqual(Array(6).fill(members.get('hoarder')));
    expect(claimsOf(seed).own).toBeUndefined();

    const honest = new Agent('honest');
    await honest.login(server.url, 'honest', 'honest-pass-123');
    const got = await honest.run(['get', resourceId, '-o', join(honest.dataDir, 'out'), '--seed-time', '0']);
    expect(got.code).toBe(0);
    expect(sha(readFileSync(join(honest.dataDir, 'out', 'payload.bin')))).toBe(sha(content));
    // Whatever its name (self-enrolled machines take the host name), the seed never turned it away.
    const honestId = claimsOf(honest).sub as string;
    expect(serve.stderr()).toContain(`${honestId}) at`);
    expect(serve.stderr()).not.toContain(`(${honestId}): too many peers`);
  });
});
