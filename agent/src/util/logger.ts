export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Control characters (C0, DEL, C1) and bidirectional overrides, shown escaped: messages
 * quote what peers, manifests and servers sent (a refusal's reason, a name), and a log line
 * must stay one line that forges no other and draws nothing on a terminal.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** One line per event on stderr: `<time> <level> <message> {fields}`, so stdout stays for progress/JSON. */
export function stderrLogger(minLevel: LogLevel = 'info', prefix = ''): Logger {
  return {
    log(level, message, fields) {
      if (ORDER[level] < ORDER[minLevel]) return;
      const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
      process.stderr.write(`${new Date().toISOString()} ${level} ${printable(`${prefix}${message}`)}${extra}\n`);
    },
  };
}
