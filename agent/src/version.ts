import { API_VERSION } from '@shoal/contract';
import { AGENT_COMMIT } from './build-info.js';

export const AGENT_VERSION = '0.1.0';

/** What `shoal --version` prints: `0.1.0 (commit 1a2b3c4d5e6f)`. */
export function versionLine(): string {
  return `${AGENT_VERSION} (commit ${AGENT_COMMIT ?? 'unknown'})`;
}

/** What `shoal version --json` prints, for scripts. */
export function versionInfo(): { version: string; commit: string | null; api: number } {
  return { version: AGENT_VERSION, commit: AGENT_COMMIT, api: API_VERSION };
}
