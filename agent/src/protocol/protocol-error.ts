/** A peer broke the wire protocol: the connection is closed and the reason logged. */
export class ProtocolError extends Error {
  constructor(
    readonly code: 'oversized' | 'malformed' | 'unknown-type' | 'unexpected' | 'too-many-requests',
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ProtocolError';
  }
}
