/** Exit codes scripts can rely on (also listed in `shoal --help` and docs/agent.md). */
export const EXIT = {
  ok: 0,
  /** Anything unexpected. */
  failure: 1,
  /** Bad command line. */
  usage: 2,
  /** This data directory has no node identity or no user login for what was asked. */
  notEnrolled: 3,
  /** The server refused our credentials (401/403). */
  unauthorized: 4,
  /** The server could not be reached, and nothing cached could stand in. */
  serverUnreachable: 5,
  /** The resource (or manifest) does not exist or is not valid. */
  notFound: 6,
  /** The transfer could not complete (disk error, content unavailable). */
  transferFailed: 7,
  /** A manifest was refused: not issued by the enrolled server for the files it lists. */
  untrustedManifest: 8,
  /** Stopped by SIGINT/SIGTERM before the download completed (after completion, stopping to share exits 0). */
  interrupted: 130,
  /** Standard output was closed by its reader (e.g. piped into `head`), as a SIGPIPE ends other tools. */
  outputClosed: 141,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** The server's Retry-After on a 429 or 503, in ms (capped): a retry loop waits at least this. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const EXIT_CODES_HELP = `
Exit codes:
  0    success (for get and publish: content complete and verified, also when
       Ctrl-C or SIGTERM then stops sharing it)
  1    unexpected failure
  2    bad command line
  3    not enrolled / not logged in
  4    the server refused our credentials
  5    the server could not be reached
  6    resource or manifest not found or invalid
  7    transfer failed (disk error, content unavailable)
  8    manifest refused: not issued by this node's server for the files it lists
  130  interrupted (Ctrl-C, SIGTERM) before the content was complete
  141  standard output closed by its reader (e.g. piped into head)`;
