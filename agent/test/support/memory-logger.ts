import type { Logger, LogLevel } from '../../src/util/logger.js';

/** Keeps lines in memory; for tests that assert what was logged. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  constructor(private readonly prefix = '') {}
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    this.lines.push(`${level} ${this.prefix}${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  }
}
