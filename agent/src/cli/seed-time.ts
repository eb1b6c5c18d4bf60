import { CliError, EXIT } from './exit-codes.js';

/** "0", "30", "90s", "10m", "2h", "forever" -> milliseconds (null = until interrupted). */
export function parseSeedTime(text: string | undefined): number | null {
  if (text === undefined || text === 'forever' || text === 'inf') return null;
  const m = /^(\d+(?:\.\d+)?)([smh]?)$/.exec(text.trim());
  if (!m) throw new CliError(`not a duration: "${text}" (use e.g. 0, 90s, 10m, 2h, forever)`, EXIT.usage);
  return Math.round(Number(m[1]) * { '': 1000, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as '' | 's' | 'm' | 'h']);
}
