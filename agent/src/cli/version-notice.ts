import type { PeerVersion } from '@shoal/contract';
import { AGENT_VERSION } from '../version.js';

/**
 * Tells the user, once per process, that this agent's release differs from the server's
 * and where the matching agent is. Only a notice: compatibility is the API version's call
 * (api-client refuses what cannot work). On stderr, so `--json` output stays clean; once,
 * so a `serve` that heartbeats for weeks says it a single time.
 */
export class VersionNotice {
  private told = false;

  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(line)) {}

  check(server: PeerVersion, origin: string): void {
    if (this.told || server.release === AGENT_VERSION) return;
    this.told = true;
    this.write(
      `shoal: this agent is ${AGENT_VERSION} and the server at ${origin} runs ${server.release}; ` +
        `get the matching agent at ${origin}/downloads/shoal\n`,
    );
  }
}
