import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Api } from './api-client.js';
import { REPO_ROOT } from './server.js';
import { sleep, within } from './wait.js';

const SHOAL_BIN = join(REPO_ROOT, 'agent/bin/shoal.js');

/** The agent's release, from its package.json. */
const AGENT_RELEASE: string = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'agent/package.json'), 'utf8')) as { version: string }
).version;

/** What `shoal --version` prints: the release and the commit the build was made from. */
export const AGENT_VERSION_LINE = new RegExp(`^${AGENT_RELEASE.replace(/\./g, '\\.')} \\(commit [0-9a-f]{7,40}\\)$`);
/** Default bound on one command and on one awaited event: below the suites' 120 s test timeout. */
const COMMAND_TIMEOUT_MS = 100_000;

export interface ShoalResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `shoal` process with its output so far. */
export interface ShoalProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process exits. */
  done: Promise<ShoalResult>;
  /** `done`, or an error naming the command and its output once `timeoutMs` passed (the process is then killed). */
  exited(timeoutMs?: number): Promise<ShoalResult>;
  /** JSON lines printed on stdout (the --json progress). */
  events(): Record<string, unknown>[];
  /** The first event `predicate` accepts; fails with `what` (default: the predicate's source) and the output. */
  waitFor(
    predicate: (event: Record<string, unknown>) => boolean,
    timeoutMs?: number,
    what?: string,
  ): Promise<Record<string, unknown>>;
}

/** How an agent's commands are started: by default `node agent/bin/shoal.js` from the checkout. */
export interface AgentCommand {
  /** The program and its leading arguments; `--data-dir DIR` and the command's follow. */
  command: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** One agent = one data dir; every command is a separate `shoal` process. */
export class Agent {
  readonly dataDir: string;
  private readonly how: AgentCommand;

  constructor(
    readonly label: string,
    how: Partial<AgentCommand> = {},
  ) {
    this.dataDir = mkdtempSync(join(tmpdir(), `shoal-agent-${label}-`));
    this.how = {
      command: how.command ?? [process.execPath, SHOAL_BIN],
      cwd: how.cwd ?? REPO_ROOT,
      env: how.env ?? { ...process.env, SHOAL_HOME: '' },
    };
  }

  spawn(args: string[], input?: string): ShoalProcess {
    const [program, ...leading] = this.how.command;
    const child = spawn(program!, [...leading, '--data-dir', this.dataDir, ...args], {
      cwd: this.how.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: this.how.env,
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
    const done = new Promise<ShoalResult>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, stdout: out, stderr: err })),
    );
    const events = () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return {};
          }
        });
    const tail = () => `stdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`;
    const command = `${this.label}: shoal ${args.join(' ')}`;
    return {
      child,
      stdout: () => out,
      stderr: () => err,
      done,
      exited: (timeoutMs = COMMAND_TIMEOUT_MS) =>
        within(`${command} exited`, done, timeoutMs, () => {
          child.kill('SIGKILL');
          return tail();
        }),
      events,
      waitFor: async (predicate, timeoutMs = COMMAND_TIMEOUT_MS, what = predicate.toString()) => {
        const started = Date.now();
        while (Date.now() - started < timeoutMs) {
          const hit = events().find(predicate);
          if (hit) return hit;
          if (child.exitCode !== null || child.signalCode !== null) break;
          await sleep(100);
        }
        const why =
          child.exitCode !== null || child.signalCode !== null
            ? `it exited first (code ${child.exitCode}, signal ${child.signalCode})`
            : `not within ${timeoutMs / 1000} s`;
        throw new Error(`${command}: never printed ${what}: ${why}\n${tail()}`);
      },
    };
  }

  /** Runs one command to its end, failing (and killing it) past `timeoutMs`. */
  async run(args: string[], input?: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<ShoalResult> {
    return this.spawn(args, input).exited(timeoutMs);
  }

  /** Enrolls this agent with a fresh enrollment token from `admin`, as ops would. */
  async enroll(
    admin: Api,
    opts: { role: 'seed' | 'client'; name: string; site?: string; listen?: string },
  ): Promise<void> {
    const token = await admin.post('/api/admin/enrollment-tokens', { role: opts.role, site: opts.site });
    const args = [
      'enroll',
      '--server',
      admin.baseUrl,
      '--token',
      token.body.token,
      '--role',
      opts.role,
      '--name',
      opts.name,
    ];
    if (opts.site) args.push('--site', opts.site);
    const res = await this.run([...args, '--listen', opts.listen ?? '127.0.0.1:0']);
    if (res.code !== 0) throw new Error(`${this.label} enroll failed (${res.code}): ${res.stderr}`);
  }

  /** `shoal publish <path> <flags>` without seeding afterwards; the new resource's id. Throws unless it exits 0. */
  async publish(path: string, flags: string[] = []): Promise<string> {
    const res = await this.run(['publish', path, ...flags, '--seed-time', '0', '--json']);
    if (res.code !== 0) throw new Error(`${this.label} publish failed (${res.code}): ${res.stderr}`);
    const line = res.stdout.split('\n').find((l) => l.includes('"published"'));
    if (!line) throw new Error(`${this.label} publish printed no "published" event:\n${res.stdout}`);
    return JSON.parse(line).resourceId as string;
  }

  async login(serverUrl: string, user: string, password: string): Promise<void> {
    const res = await this.run(['login', '--server', serverUrl, '--user', user, '--password-stdin'], `${password}\n`);
    if (res.code !== 0) throw new Error(`${this.label} login failed (${res.code}): ${res.stderr}`);
  }
}
