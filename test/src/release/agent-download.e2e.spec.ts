/**
 * The server hands out the agent executable it was released with, so employees and ops
 * fetch the matching agent from their own server (no public registry, no `npx`).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_VERSION_LINE } from '../harness/agents.js';
import { Api } from '../harness/api-client.js';
import { REPO_ROOT, startServer, type RunningServer } from '../harness/server.js';

const BUILT = join(REPO_ROOT, 'dist/release/shoal');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the agent download', () => {
  let released: RunningServer;
  let bare: RunningServer;

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run "npm run package" (npm test does)`);
    [released, bare] = await Promise.all([
      startServer({ env: { SHOAL_AGENT_DIR: join(REPO_ROOT, 'dist/release'), SHOAL_BUILTIN_SEED: 'off' } }),
      startServer({
        env: { SHOAL_AGENT_DIR: mkdtempSync(join(tmpdir(), 'shoal-no-agent-')), SHOAL_BUILTIN_SEED: 'off' },
      }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([released?.destroy(), bare?.destroy()]);
  });

  it('serves the packaged executable without a login, with its size and SHA-256, and it runs', async () => {
    const expected = readFileSync(BUILT);
    const about = await new Api(released.url).get('/api/downloads/agent');
    expect(about.status).toBe(200);
    expect(about.body).toEqual({
      available: true,
      url: '/downloads/shoal',
      checksumUrl: '/downloads/shoal.sha256',
      sha256: sha256(expected),
      sizeBytes: expected.length,
    });

    const res = await fetch(`${released.url}/downloads/shoal`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="shoal"');
    expect(res.headers.get('x-checksum-sha256')).toBe(sha256(expected));
    const body = Buffer.from(await res.arrayBuffer());
    expect(sha256(body)).toBe(sha256(expected));

    const sums = await fetch(`${released.url}/downloads/shoal.sha256`);
    expect(await sums.text()).toBe(`${sha256(expected)}  shoal\n`);
    // What the install hint tells people to do: check the sum, then run it.
    const dir = mkdtempSync(join(tmpdir(), 'shoal-fetched-'));
    writeFileSync(join(dir, 'shoal'), body);
    writeFileSync(join(dir, 'shoal.sha256'), `${sha256(expected)}  shoal\n`);
    expect(spawnSync('sha256sum', ['-c', 'shoal.sha256'], { cwd: dir }).status).toBe(0);
    chmodSync(join(dir, 'shoal'), 0o755);
    const version = spawnSync(join(dir, 'shoal'), ['--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toMatch(AGENT_VERSION_LINE);
  });

  it('says clearly when it was started without a packaged agent, and never serves the portal in its place', async () => {
    const about = await new Api(bare.url).get('/api/downloads/agent');
    expect(about.body).toMatchObject({ available: false, sha256: null, sizeBytes: null });
    for (const path of ['/downloads/shoal', '/downloads/shoal.sha256']) {
      const res = await new Api(bare.url).get(path);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('agent_not_packaged');
    }
  });
});
