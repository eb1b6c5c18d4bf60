/**
 * A real seed (`shoal serve`, enrolled with the real server) checks what dialers show it
 * against the server's own keys and revocations: a ticket the server issued for another
 * resource, or bound to another node, and a credential the server revoked, are each
 * refused in the handshake and get no byte, while the same dialer with its own ticket
 * downloads. The dialers are the agent's engine in this process, so the test can hand
 * them the wrong ticket a real `shoal get` never would.
 */
import { parseManifest } from '@shoal/contract';
import { specFromManifest, type Engine, type TransferSpec } from '@shoal/agent';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type ShoalProcess } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { startEngineMachine } from '../harness/engine-machine.js';
import { ADMIN_PASSWORD, freePort, startServer, type RunningServer } from '../harness/server.js';

const SIZE = 300_000;

interface Dialer {
  nodeId: string;
  node: Engine;
  lines: string[];
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a real seed refusing what the real server did not allow', () => {
  let server: RunningServer;
  let admin: Api;
  let pia: Api;
  const seed = new Agent('refusing-seed');
  let serve: ShoalProcess;
  const resources: Record<'wanted' | 'other', { id: string; content: Buffer }> = {} as never;
  const dialers: Dialer[] = [];
  let honest: Dialer;
  let revoked: Dialer;
  let ticketBeforeRevocation: TransferSpec;
  let seedAddress: string;
  let seedNodeId: string;

  /** A machine of pia's, enrolled with her login, running the engine with no listener. */
  async function dialer(name: string): Promise<Dialer> {
    const m = await startEngineMachine(pia, name);
    const d = { nodeId: m.nodeId, node: m.engine, lines: m.lines };
    dialers.push(d);
    return d;
  }

  /** The manifest of a resource as pia's machine `forNode` gets it: a ticket bound to that machine. */
  async function spec(resourceId: string, forNode: string): Promise<TransferSpec> {
    const res = await pia.get(`/api/resources/${resourceId}/manifest?node=${forNode}`);
    expect(res.status).toBe(200);
    return {
      ...specFromManifest(parseManifest(res.text)),
      trackerUrl: null,
      // Dialed directly: a manifest fetched before the seed is online lists no seeds yet.
      peers: [{ address: seedAddress, nodeId: seedNodeId }],
    };
  }

  async function publish(name: string): Promise<{ id: string; content: Buffer }> {
    const dir = join(seed.dataDir, 'content', name);
    mkdirSync(dir, { recursive: true });
    const content = randomBytes(SIZE);
    writeFileSync(join(dir, `${name}.bin`), content);
    const id = await seed.publish(join(dir, `${name}.bin`), ['--name', name]);
    return { id, content };
  }

  beforeAll(async () => {
    server = await startServer({ env: { SHOAL_BUILTIN_SEED: 'off' } });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    expect(
      (await admin.post('/api/admin/users', { username: 'pia', password: 'pia-password-1', role: 'member' })).status,
    ).toBe(201);
    pia = await new Api(server.url).login('pia', 'pia-password-1');

    seedAddress = `127.0.0.1:${await freePort()}`;
    await seed.enroll(admin, { role: 'seed', name: 'refusing-seed', listen: seedAddress });
    seedNodeId = JSON.parse(readFileSync(join(seed.dataDir, 'node.json'), 'utf8')).nodeId;
    await seed.login(server.url, 'admin', ADMIN_PASSWORD);
    resources.wanted = await publish('wanted');
    resources.other = await publish('other');

    honest = await dialer('pia-laptop');
    // Revoked before the seed starts: its first heartbeat brings the revocation.
    revoked = await dialer('pia-stolen');
    ticketBeforeRevocation = await spec(resources.wanted.id, revoked.nodeId);
    expect((await admin.post(`/api/admin/nodes/${revoked.nodeId}/revoke`)).status).toBe(200);

    serve = seed.spawn(['serve']);
    const revokedFile = join(seed.dataDir, 'state', 'revoked.json');
    await until(
      'the seed to learn the revocation',
      () => existsSync(revokedFile) && readFileSync(revokedFile, 'utf8').includes(revoked.nodeId),
    );
  });

  afterAll(async () => {
    for (const d of dialers) await d.node.stop();
    if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
    await server?.destroy();
  });

  /** Dials the seed with `spec`; resolves with the reason the seed gave for refusing, after it refused. */
  async function refusedReason(d: Dialer, s: TransferSpec): Promise<string> {
    const from = d.lines.length;
    const out = mkdtempSync(join(tmpdir(), 'shoal-refused-'));
    const swarm = await d.node.download(s, out);
    const refusal = () => d.lines.slice(from).find((l) => l.includes('peer refused us: '));
    try {
      await until('the seed to refuse', () => refusal() !== undefined);
      expect(swarm.stats.downloaded).toBe(0);
      expect(swarm.isComplete()).toBe(false);
    } finally {
      await d.node.remove(s.resourceId);
    }
    const reason = refusal()!.split('peer refused us: ')[1];
    // The seed itself says why, in its own log.
    await until('the seed to log the refusal', () => serve.stderr().includes(reason));
    expect(serve.stderr()).toMatch(new RegExp(`refused peer at 127\\.0\\.0\\.1:\\d+: ${literal(reason)}`));
    return reason;
  }

  it('refuses a ticket the server issued for another resource', async () => {
    const wanted = await spec(resources.wanted.id, honest.nodeId);
    const other = await spec(resources.other.id, honest.nodeId);
    const reason = await refusedReason(honest, { ...wanted, ticket: other.ticket });
    expect(reason).toBe(`download ticket is for resource ${resources.other.id}, not ${resources.wanted.id}`);
  });

  it("refuses a ticket the server bound to another of the same user's machines", async () => {
    const desk = await dialer('pia-desk');
    const deskSpec = await spec(resources.wanted.id, desk.nodeId);
    const reason = await refusedReason(honest, deskSpec);
    expect(reason).toBe(`download ticket is bound to node ${desk.nodeId}, not ${honest.nodeId}`);
  });

  it('refuses a node the server revoked, with the ticket it was given before', async () => {
    const reason = await refusedReason(revoked, ticketBeforeRevocation);
    expect(reason).toBe(`node ${revoked.nodeId} is revoked`);
    // Nor does the server give it a new one.
    expect((await pia.get(`/api/resources/${resources.wanted.id}/manifest?node=${revoked.nodeId}`)).status).toBe(403);
  });

  it('serves the same dialer with its own ticket', async () => {
    const out = mkdtempSync(join(tmpdir(), 'shoal-allowed-'));
    const swarm = await honest.node.download(await spec(resources.wanted.id, honest.nodeId), out);
    if (!swarm.isComplete()) await new Promise((r) => swarm.once('complete', r));
    expect(readFileSync(join(out, 'wanted.bin')).equals(resources.wanted.content)).toBe(true);
    expect(swarm.stats.downloadedFromSeeds).toBe(SIZE);
    await honest.node.remove(resources.wanted.id);
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
