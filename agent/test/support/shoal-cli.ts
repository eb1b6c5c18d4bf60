import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The CLI as users run it: separate `node bin/shoal.js` processes (the bundle the
 * integration suites' global setup builds), each with its own data directory.
 */
const agentDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(agentDir, 'bin', 'shoal.js');

const children: ChildProcess[] = [];

/** Kills whatever a suite left running (call in afterAll). */
export function killStrays(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** Runs one command to its end. */
export async function shoal(
  dataDir: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, '--data-dir', dataDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(stdin ?? '');
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
}

/** Starts a long-running command; `lines` collects its JSON stdout lines, `text` the rest. */
export function background(dataDir: string, args: string[]) {
  const child = spawn(process.execPath, [bin, '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  const text: string[] = [];
  let stderr = '';
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const p of parts) {
      if (!p.trim()) continue;
      if (p.startsWith('{')) lines.push(JSON.parse(p));
      else text.push(p);
    }
  });
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : 0))),
  );
  return { child, lines, text, exited, stderr: () => stderr };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs a command on a terminal: util-linux `script` gives it a pseudo-terminal, so it
 * sees a TTY as on a user's screen. `press('\x03')` types Ctrl-C, which the terminal
 * turns into SIGINT for the command, as for a user.
 */
export function inTerminal(dataDir: string, args: string[]) {
  const command = [process.execPath, bin, '--data-dir', dataDir, ...args].map(quote).join(' ');
  // -e: script exits with the command's exit code; stty gives the terminal a size.
  const child = spawn('script', ['-qefc', `stty cols 160 rows 40; exec ${command}`, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
  child.stderr.on('data', (d: Buffer) => (screen += d.toString()));
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : 0))),
  );
  return {
    child,
    exited,
    /** Everything written to the terminal so far, escape sequences included. */
    screen: () => screen,
    press: (keys: string) => child.stdin.write(keys),
  };
}

export async function until(cond: () => boolean, timeoutMs = 30_000, what = cond.toString()): Promise<void> {
  const started = Date.now();
  while (!cond()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A fresh data dir logged in to `serverUrl` as `name` (the stand-in server's password is "secret"). */
export async function loggedIn(serverUrl: string, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `shoal-cli-${name}-`));
  const r = await shoal(dir, ['login', '--server', serverUrl, '--user', name, '--password-stdin'], 'secret\n');
  if (r.code !== 0) throw new Error(`login as ${name} failed (${r.code}): ${r.stderr}`);
  return dir;
}
