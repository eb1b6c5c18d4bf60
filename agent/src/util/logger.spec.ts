import { printable, stderrLogger } from './logger.js';

describe('the stderr logger', () => {
  it('writes what a peer sent as one visible line: no escapes reach the terminal, no line is forged', () => {
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0) as typeof write;
    try {
      const reason = '\x1b]0;pwned\x07\x1b[2K\r\n2026-12-03T09:00:00.000Z error this node has been revoked\u202e';
      stderrLogger('info').log('warn', `refused peer at 10.0.0.9:7070: peer refused us: ${reason}`);
    } finally {
      process.stderr.write = write;
    }
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e]/);
    expect(line).toContain('peer refused us: \\x1b]0;pwned\\x07\\x1b[2K\\x0d\\x0a2026-12-03T09:00:00.000Z error');
    expect(line).toContain('revoked\\u202e');
  });

  it('leaves ordinary text, including non-ASCII names, as it is', () => {
    expect(printable('fetched Ubuntu 24.04 — bureau €, 東京 (3 peers)')).toBe(
      'fetched Ubuntu 24.04 — bureau €, 東京 (3 peers)',
    );
  });
});
