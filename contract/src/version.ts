/**
 * Versions agents and servers tell each other. The API version is the HTTP contract between
 * them (routes, bodies, manifests, tokens); it goes up only when an older side can no longer
 * follow, and each side says which API versions it still works with. Release versions are
 * shown to people; compatibility is decided by the API version alone.
 */
export const API_VERSION = 1;
/** The oldest API version of the other side that this side still works with. */
export const OLDEST_API_VERSION = 1;

/** On every agent request: `<agent release>; api=<API_VERSION>`. */
export const AGENT_VERSION_HEADER = 'x-shoal-agent';
/** On every server answer: `<server release>; api=<API_VERSION>`. */
export const SERVER_VERSION_HEADER = 'x-shoal-server';

export interface PeerVersion {
  release: string;
  api: number;
}

export function versionHeader(release: string): string {
  return `${release}; api=${API_VERSION}`;
}

/** The version a header names, or null for a missing or malformed one. */
export function parseVersionHeader(value: string | string[] | null | undefined): PeerVersion | null {
  const m = typeof value === 'string' ? /^([0-9A-Za-z.+-]{1,40}); api=([0-9]{1,6})$/.exec(value.trim()) : null;
  return m ? { release: m[1]!, api: Number(m[2]) } : null;
}

/**
 * Whether a peer of that API version is too old for this side. A newer peer is never refused
 * here: only the newer side knows what it still supports, so it decides.
 */
export function apiTooOld(api: number): boolean {
  return api < OLDEST_API_VERSION;
}
