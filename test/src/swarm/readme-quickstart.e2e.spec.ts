/**
 * The README's quickstart CLI block, run as a user pastes it: line by line in two
 * terminals (pseudo-terminals from util-linux `script`), typing the password when login
 * asks. Only what the reader fills in or cannot have is replaced: the server URL and
 * the seed's port (a test server on free ports instead of localhost:3000 and 7070),
 * <token>, <resource id>, the /tmp data dirs (fresh ones), and `npx shoal` by the same
 * `node agent/bin/shoal.js` it runs (npx finds it only inside the checkout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, freePort, REPO_ROOT, startServer, type RunningServer } from '../harness/server.js';
import { until, within } from '../harness/wait.js';

/** The lines of the quickstart's CLI block, comments and trailing comments dropped; a blank line starts the second terminal. */
function quickstartTerminals(): string[][] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('    # enroll a seed server');
  const end = readme.indexOf('See `npx shoal --help`', start);
  expect(start).toBeGreaterThan(0);
  const terminals: string[][] = [[]];
  for (const raw of readme.slice(start, end).split('\n')) {
    const line = raw.replace(/^ {4}/, '').replace(/\s+# .*$/, '');
    if (line.trim() === '') {
      if (terminals.at(-1)!.length) terminals.push([]);
    } else if (!line.startsWith('#')) terminals.at(-1)!.push(line);
  }
  return terminals.filter((t) => t.length);
}

/** One command line on a pseudo-terminal, through bash as a user's shell runs it. */
function onTerminal(line: string, cwd: string) {
  const child = spawn('script', ['-qefc', `stty cols 160 rows 40; exec bash -c ${quote(line)}`, '/dev/null'], {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
  child.stderr.on('data', (d: Buffer) => (screen += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  running.push(child);
  return { screen: () => screen, type: (keys: string) => child.stdin.write(keys), exited };
}

const running: ChildProcess[] = [];
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('README quickstart', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    // `script` ends the command it runs when it is killed (the terminal hangs up).
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await server?.destroy();
  });

  it('runs as pasted: publish says it shares until Ctrl-C, get in a second terminal returns once complete', async () => {
    const admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    const token = (await admin.post('/api/admin/enrollment-tokens', { role: 'seed' })).body.token as string;
    const cwd = mkdtempSync(join(tmpdir(), 'shoal-quickstart-'));
    const seedPort = await freePort();
    const fill = (line: string, resourceId = '') =>
      line
        .replaceAll('npx shoal', `${quote(process.execPath)} ${quote(join(REPO_ROOT, 'agent/bin/shoal.js'))}`)
        .replaceAll('http://localhost:3000', server.url)
        .replaceAll('127.0.0.1:7070', `127.0.0.1:${seedPort}`)
        .replaceAll('<token>', token)
        .replaceAll('<resource id>', resourceId)
        .replaceAll('/tmp/seed', join(cwd, 'seed-data'))
        .replaceAll('/tmp/laptop', join(cwd, 'laptop-data'));
    const run = async (line: string) => {
      const t = onTerminal(line, cwd);
      if (/ login /.test(line)) {
        await until('the password prompt', () => t.screen().includes('password for admin:'), { timeoutMs: 30_000 });
        t.type(`${ADMIN_PASSWORD}\r`);
      }
      const code = await within(`"${line}"`, t.exited, 100_000);
      expect({ line, code, screen: t.screen() }).toMatchObject({ code: 0 });
    };

    const [first, second] = quickstartTerminals();
    expect(first.at(-1)).toMatch(/^npx shoal publish /);
    expect(second.at(-1)).toMatch(/^npx shoal get /);
    for (const line of first.slice(0, -1)) await run(fill(line));
    const publish = onTerminal(fill(first.at(-1)!), cwd);
    const resourceId = await until(
      'publish to print the resource id and say it shares until Ctrl-C',
      () =>
        publish.screen().includes('now sharing it with peers until you stop it: press Ctrl-C') &&
        /resource id ([0-9a-f-]{36})/.exec(publish.screen())?.[1],
      { timeoutMs: 100_000, detail: publish.screen },
    );

    for (const line of second) await run(fill(line, resourceId as string));
    const dataset = readFileSync(join(cwd, 'my-dataset/sample.bin'));
    expect(sha(readFileSync(join(cwd, 'downloads/my-dataset/sample.bin')))).toBe(sha(dataset));

    await until('publish to count the upload', () => /sharing: ↑ 64\.0 MiB uploaded/.test(publish.screen()), {
      timeoutMs: 10_000,
      detail: () => publish.screen().slice(-500),
    });
    publish.type('\x03');
    expect(await within('publish to stop on Ctrl-C', publish.exited, 30_000)).toBe(0);
    expect(publish.screen()).toMatch(/stopped sharing \(asked to stop\) after uploading 64\.0 MiB/);
  }, 240_000);
});
