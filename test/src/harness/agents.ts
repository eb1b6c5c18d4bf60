import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Api } from './api-client.js';
import { REPO_ROOT } from './server.js';

const SHOAL_BIN = join(REPO_ROOT, 'agent/bin/shoal.js');

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
  /** JSON lines printed on stdout (the --json progress). */
  events(): Record<string, unknown>[];
  waitFor(predicate: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
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
    return {
      child,
      stdout: () => out,
      stderr: () => err,
      done,
      events,
      waitFor: async (predicate, timeoutMs = 90_000) => {
        const started = Date.now();
        while (Date.now() - started < timeoutMs) {
          const hit = events().find(predicate);
          if (hit) return hit;
          if (child.exitCode !== null) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(
          `${this.label}: event not seen (exit ${child.exitCode})\nstdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`,
        );
      },
    };
  }

  async run(args: string[], input?: string): Promise<ShoalResult> {
    return this.spawn(args, input).done;
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

  async login(serverUrl: string, user: string, password: string): Promise<void> {
    const res = await this.run(['login', '--server', serverUrl, '--user', user, '--password-stdin'], `${password}\n`);
    if (res.code !== 0) throw new Error(`${this.label} login failed (${res.code}): ${res.stderr}`);
  }
}
