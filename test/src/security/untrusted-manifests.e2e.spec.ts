/**
 * A manifest is a file anyone can edit and a URL anyone can serve. A hostile member takes a
 * genuine manifest (with its genuine ticket), edits it the way a modified client would, and
 * hands it to a victim whose real `shoal get` must refuse it before anything is dialled or
 * written — and never send a secret to a host the manifest names.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { computeContentId } from '@shoal/contract';
import { Agent } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';
import { uploadedId } from '../harness/uploads.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
type ManifestJson = Record<string, unknown> & {
  files: { path: string; size: number }[];
  pieceHashes: string[];
  pieceSize: number;
};

/** A listener on loopback standing in for the attacker's host: it records everything it is sent. */
class Listener {
  readonly requests: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  serve: string | null = null;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (this.serve !== null && req.url?.endsWith('.shoal.json')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(this.serve);
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"intervalSeconds":30,"peers":[]}');
        }
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every request it got, and whether any carried a credential, a token or a proof. */
  secretsReceived(): string[] {
    return this.requests.flatMap((r) => {
      const found: string[] = [];
      if (r.headers.authorization) found.push(`authorization header on ${r.url}`);
      if (r.headers.dpop) found.push(`DPoP proof on ${r.url}`);
      if (r.headers.cookie) found.push(`cookie on ${r.url}`);
      // User tokens, node credentials, tickets and proofs are all JWTs: none may appear anywhere.
      const everything = `${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`;
      if (/eyJ[\w-]+\.[\w-]+\./.test(everything)) found.push(`a JWT in the request ${r.url}`);
      if (/password|credential|accessToken/i.test(r.body)) found.push(`a secret-named field in the body of ${r.url}`);
      return found;
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('untrusted manifests through a real `shoal get`', () => {
  let server: RunningServer;
  const listener = new Listener();
  const victim = new Agent('victim');
  const content = randomBytes(700_000);
  let genuine: ManifestJson;
  let otherTicket: string;
  let resourceId: string;

  beforeAll(async () => {
    server = await startServer();
    await listener.start();
    const admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    for (const u of ['mallory', 'vera'])
      await admin.post('/api/admin/users', { username: u, password: `${u}-password-1`, role: 'member' });
    const upload = (name: string, body: Buffer) =>
      uploadedId(server.url, admin.token!, { name, filename: 'tool.bin' }, body);
    const id = (resourceId = await upload('Tool', content));
    const otherId = await upload('Other', randomBytes(50_000));
    // The attacker is a member like the victim: the manifests are fetched as mallory.
    const mallory = await new Api(server.url).login('mallory', 'mallory-password-1');
    genuine = (await mallory.get(`/api/resources/${id}/manifest`)).body as ManifestJson;
    otherTicket = ((await mallory.get(`/api/resources/${otherId}/manifest`)).body as { ticket: string }).ticket;
    expect(typeof genuine.ticket).toBe('string');
    await victim.login(server.url, 'vera', 'vera-password-1');
  });

  afterAll(async () => {
    await listener.close();
    await server?.destroy();
  });

  /** Keeps the edit self-consistent (content id recomputed), so only the ticket can tell. */
  function withFiles(files: { path: string; size: number }[], pieceHashes: string[]): ManifestJson {
    const totalSize = files.reduce((a, f) => a + f.size, 0);
    const contentId = computeContentId({ pieceSize: genuine.pieceSize, files, pieceHashes });
    return { ...genuine, files, pieceHashes, totalSize, contentId };
  }

  async function getFile(label: string, manifest: unknown) {
    const file = join(victim.dataDir, `${label}.shoal.json`);
    writeFileSync(file, JSON.stringify(manifest));
    const out = join(victim.dataDir, `out-${label}`);
    const res = await victim.run(['get', file, '-o', out, '--seed-time', '0', '--json']);
    return { ...res, out };
  }

  it('downloads the genuine manifest, verified (the control case)', async () => {
    const res = await getFile('genuine', genuine);
    expect(res.stderr).not.toMatch(/manifest refused/);
    expect(res.code).toBe(0);
    expect(sha(readFileSync(join(res.out, 'tool.bin')))).toBe(sha(content));
  });

  const edits: [string, () => ManifestJson, RegExp][] = [
    [
      'dotfiles swapped in under the genuine ticket',
      () =>
        withFiles(
          [
            { path: '.bashrc', size: 300_000 },
            { path: '.ssh/authorized_keys', size: 400_000 },
          ],
          genuine.pieceHashes.map((_, i) => sha(Buffer.from(`evil-${i}`))),
        ),
      /ticket was issued for other content than the files it lists/,
    ],
    [
      'one piece hash changed',
      () => withFiles(genuine.files, [sha(Buffer.from('evil')), ...genuine.pieceHashes.slice(1)]),
      /other content/,
    ],
    ['the ticket of another resource', () => ({ ...genuine, ticket: otherTicket }), /ticket is for resource/],
    [
      'a tracker on the attacker’s host',
      () => ({ ...genuine, trackerUrl: `${listener.url}/api/tracker/announce` }),
      /trackerUrl .* is not the server this node is enrolled with/,
    ],
    [
      'a server on the attacker’s host',
      () => ({ ...genuine, serverUrl: listener.url }),
      /serverUrl .* is not the server this node is enrolled with/,
    ],
  ];

  it.each(edits)('refuses %s: exit 8, one sentence, nothing written, no secret sent', async (label, edit, why) => {
    const before = listener.requests.length;
    const res = await getFile(label.replace(/\W+/g, '-'), edit());
    expect(res.code).toBe(8);
    const refusal = res.stderr.split('\n').filter((l) => l.includes('manifest refused'));
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toMatch(why);
    expect(existsSync(res.out) ? readdirSync(res.out) : []).toEqual([]);
    expect(listener.requests.slice(before)).toEqual([]);
  });

  it("enrolls a machine not enrolled yet with its login's server, never the manifest's, then refuses the manifest", async () => {
    const fresh = new Agent('fresh');
    await fresh.login(server.url, 'vera', 'vera-password-1');
    const before = listener.requests.length;
    const file = join(fresh.dataDir, 'm.shoal.json');
    writeFileSync(
      file,
      JSON.stringify({ ...genuine, serverUrl: listener.url, trackerUrl: `${listener.url}/api/tracker/announce` }),
    );
    const out = join(fresh.dataDir, 'out');
    const res = await fresh.run(['get', file, '-o', out, '--seed-time', '0']);
    expect(res.code).toBe(8);
    expect(res.stderr).toMatch(/manifest refused: its serverUrl .* is not the server this node is enrolled with/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    expect(listener.requests.slice(before)).toEqual([]);
    const node = JSON.parse(readFileSync(join(fresh.dataDir, 'node.json'), 'utf8')) as { serverUrl: string };
    expect(new URL(node.serverUrl).origin).toBe(new URL(server.url).origin);
  });

  it("sends the user's token to a manifest URL of the login's own server", async () => {
    const out = join(victim.dataDir, 'out-own-url');
    const res = await victim.run([
      'get',
      `${server.url}/api/resources/${resourceId}/manifest`,
      '-o',
      out,
      '--seed-time',
      '0',
      '--json',
    ]);
    // The route needs a login: without the token it answers 401 and get exits 4.
    expect(res.stderr).not.toMatch(/401/);
    expect(res.code).toBe(0);
    expect(sha(readFileSync(join(out, 'tool.bin')))).toBe(sha(content));
  });

  it('sends no token to a manifest URL on another host, and still checks what it serves', async () => {
    listener.serve = JSON.stringify(genuine);
    const out = join(victim.dataDir, 'out-url');
    const before = listener.requests.length;
    const ok = await victim.run(['get', `${listener.url}/x.shoal.json`, '-o', out, '--seed-time', '0', '--json']);
    expect(ok.code).toBe(0);
    expect(sha(readFileSync(join(out, 'tool.bin')))).toBe(sha(content));

    listener.serve = JSON.stringify(withFiles([{ path: '.profile', size: 700_000 }], genuine.pieceHashes));
    const bad = await victim.run([
      'get',
      `${listener.url}/y.shoal.json`,
      '-o',
      join(victim.dataDir, 'out-url2'),
      '--seed-time',
      '0',
    ]);
    expect(bad.code).toBe(8);
    expect(listener.requests.slice(before).map((r) => r.url)).toEqual(['/x.shoal.json', '/y.shoal.json']);
    expect(listener.secretsReceived()).toEqual([]);
  });

  it("the attacker's listener got no secret in any request of the whole suite", () => {
    // Runs last: the suite's every request to the listener, not just one case's.
    expect(listener.requests.length).toBeGreaterThan(0);
    expect(listener.secretsReceived()).toEqual([]);
  });
});
