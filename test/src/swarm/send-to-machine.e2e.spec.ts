/**
 * "Send to my machine" end to end: a member's laptop, enrolled with their own login and a
 * download folder, runs `shoal serve`; the member asks for a resource through the API; the
 * agent picks the request up from its heartbeat, fetches it from the built-in seed into
 * the folder, reports progress, and then provides it. A machine without a download folder
 * refuses with a message the member sees.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_DOWNLOAD_DIR_ERROR } from '@shoal/contract';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';
import { until } from '../harness/wait.js';
import { uploadedId } from '../harness/uploads.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('send a resource to my machine', () => {
  let server: RunningServer;
  let admin: Api;
  let member: Api;
  const running: ShoalProcess[] = [];

  beforeAll(async () => {
    server = await startServer();
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    await admin.post('/api/admin/users', { username: 'mia', password: 'member-password-1', role: 'member' });
    member = await new Api(server.url).login('mia', 'member-password-1');
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  async function laptop(name: string, downloadDir?: string): Promise<{ agent: Agent; nodeId: string }> {
    const agent = new Agent(name);
    await agent.login(server.url, 'mia', 'member-password-1');
    const args = ['enroll', '--server', server.url, '--name', name, '--listen', '127.0.0.1:0', '--json'];
    const res = await agent.run(downloadDir ? [...args, '--download-dir', downloadDir] : args);
    expect(res.code).toBe(0);
    running.push(agent.spawn(['serve', '--json']));
    return { agent, nodeId: JSON.parse(res.stdout.trim()).nodeId as string };
  }

  const waitFor = async (id: string, state: string) => {
    let seen: { state: string } | undefined;
    await until(
      `download request ${state}`,
      async () => (seen = (await member.get(`/api/me/download-requests/${id}`)).body).state === state,
      { timeoutMs: 60_000, intervalMs: 500, detail: () => JSON.stringify(seen) },
    );
    return seen as { state: string; doneBytes: number; totalBytes: number; error: string | null };
  };

  it('fetches it into the download folder, reports it done, and then provides it', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const resourceId = await uploadedId(server.url, admin.token!, { name: 'Q3 figures', filename: 'q3.bin' }, content);
    const downloads = mkdtempSync(join(tmpdir(), 'shoal-downloads-'));
    const { nodeId } = await laptop('mia-laptop', downloads);

    const mine = (await member.get('/api/me/nodes')).body;
    expect(mine.map((n: { id: string }) => n.id)).toEqual([nodeId]);
    const sent = await member.post('/api/me/download-requests', { resourceId, nodeId });
    expect(sent.status).toBe(201);

    const done = await waitFor(sent.body.id, 'done');
    expect(done).toMatchObject({ doneBytes: content.length, totalBytes: content.length, error: null });
    expect(sha(readFileSync(join(downloads, 'Q3 figures', 'q3.bin')))).toBe(sha(content));
    // The laptop now shares it with other downloaders, as after a `shoal get`.
    let sharing: { nodeId: string; complete: boolean }[] = [];
    await until(
      'the laptop listed as sharing all of it',
      async () => {
        sharing = (await admin.get(`/api/resources/${resourceId}`)).body.sharing;
        return sharing.some((p) => p.nodeId === nodeId && p.complete);
      },
      { timeoutMs: 30_000, intervalMs: 500, detail: () => JSON.stringify(sharing) },
    );
  }, 180_000);

  it('keeps a hostile resource name inside the download folder', async () => {
    const content = randomBytes(70_000);
    const parent = mkdtempSync(join(tmpdir(), 'shoal-hostile-'));
    const downloads = join(parent, 'downloads');
    const name = '../../escaped';
    const resourceId = await uploadedId(server.url, admin.token!, { name, filename: 'x.bin' }, content);
    expect((await admin.get(`/api/resources/${resourceId}`)).body.name).toBe(name);
    const { nodeId } = await laptop('mia-netbook', downloads);
    const sent = await member.post('/api/me/download-requests', { resourceId, nodeId });
    await waitFor(sent.body.id, 'done');
    // A name that is no safe folder gives way to the resource id; nothing lands beside the folder.
    expect(sha(readFileSync(join(downloads, resourceId, 'x.bin')))).toBe(sha(content));
    expect(readdirSync(parent)).toEqual(['downloads']);
    expect(readdirSync(downloads)).toEqual([resourceId]);
  }, 180_000);

  it('refuses on a machine with no download folder, saying how to set one; shoal config sets it without a restart', async () => {
    const content = randomBytes(100_000);
    const resourceId = await uploadedId(server.url, admin.token!, { name: 'Nowhere', filename: 'n.bin' }, content);
    const { agent, nodeId } = await laptop('mia-kiosk');
    const sent = await member.post('/api/me/download-requests', { resourceId, nodeId });
    expect(sent.status).toBe(201);
    expect((await waitFor(sent.body.id, 'failed')).error).toBe(NO_DOWNLOAD_DIR_ERROR);

    // The user does what the message says, while the service keeps running.
    const folder = mkdtempSync(join(tmpdir(), 'shoal-kiosk-downloads-'));
    const configured = await agent.run(['config', '--download-dir', folder, '--json']);
    expect(configured.code).toBe(0);
    expect(JSON.parse(configured.stdout.trim())).toEqual({ nodeId, name: 'mia-kiosk', downloadDir: folder });
    const again = await member.post('/api/me/download-requests', { resourceId, nodeId });
    expect(again.status).toBe(201);
    await waitFor(again.body.id, 'done');
    expect(sha(readFileSync(join(folder, 'Nowhere', 'n.bin')))).toBe(sha(content));
  }, 180_000);
});
