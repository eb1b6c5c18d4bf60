import { spawnSync } from 'node:child_process';

/** Bound on one promtool run: it checks a few kilobytes, so anything longer is a hang. */
const PROMTOOL_TIMEOUT_MS = 30_000;

export interface PromtoolResult {
  status: number | null;
  /** stdout and stderr together: promtool prints its findings on either, depending on the command. */
  output: string;
}

/**
 * Runs Prometheus's own checker, from Debian's `prometheus` package (.ci/run installs it).
 * A machine without it fails the test that asks, never skips it: the metrics would go
 * unchecked without anyone noticing.
 */
export function promtool(args: string[], opts: { input?: string; cwd?: string } = {}): PromtoolResult {
  const res = spawnSync('promtool', args, {
    input: opts.input,
    cwd: opts.cwd,
    encoding: 'utf8',
    timeout: PROMTOOL_TIMEOUT_MS,
  });
  if ((res.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    throw new Error('promtool is not installed: the metrics tests need it (Debian/Ubuntu: apt-get install prometheus)');
  if (res.error) throw res.error;
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments left out). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}
