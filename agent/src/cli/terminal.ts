/** Small helpers for what the CLI shows on a terminal: sizes, durations, and text redrawn in place. */

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** 1 -> "1 peer", 2 -> "2 peers". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** 0 -> "0s", 90_000 -> "1m 30s", 7_200_000 -> "2h". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''];
  return parts.filter(Boolean).join(' ');
}

/**
 * A block of lines on a terminal that each `draw` replaces (cursor up, clear to the end
 * of the screen), cut to the terminal's width and height so it never scrolls itself.
 */
export class LiveBlock {
  private drawn = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  draw(lines: string[]): void {
    const width = Math.max(20, this.out.columns || 80);
    const height = Math.max(3, (this.out.rows || 24) - 1);
    const shown = lines.slice(0, height).map((l) => (l.length > width - 1 ? `${l.slice(0, width - 2)}…` : l));
    const up = this.drawn > 1 ? `\x1b[${this.drawn - 1}A` : '';
    this.out.write(`${up}\r\x1b[J${shown.join('\n')}`);
    this.drawn = shown.length;
  }

  /** Leaves the last drawing on screen and moves below it, so what follows starts on a new line. */
  finish(): void {
    if (this.drawn > 0) this.out.write('\n');
    this.drawn = 0;
  }
}
