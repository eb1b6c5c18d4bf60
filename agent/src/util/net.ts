import { networkInterfaces } from 'node:os';

/** The first non-loopback IPv4 address, to announce for a wildcard listener; loopback when there is none. */
export function primaryAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
