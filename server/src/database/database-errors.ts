/**
 * Codes mysql2 gives an error when the database could not be reached or the connection
 * died under the query: nothing was answered, so the request may succeed once the
 * database is back. Errors the database answers with (a constraint, a syntax error)
 * are not these: those are bugs or conflicts, and stay what they are.
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
]);

/** mysql2's message when a pooled connection that died is used before the pool drops it. */
const CLOSED_CONNECTION_MESSAGE = "Can't add new command when connection is in closed state";

/**
 * Whether an error is the database being out of reach. TypeORM wraps the driver's error
 * (QueryFailedError.driverError) for queries, but not for a failed connection from the
 * pool, so both the error and what it wraps are looked at.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  // Shaped like an error rather than `instanceof Error`: Node's socket errors come from
  // another realm under jest's VM modules, and a check by class would miss them there.
  for (let candidate = err, depth = 0; isErrorLike(candidate) && depth < 3; depth++) {
    const { code, message } = candidate;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    if (message.includes(CLOSED_CONNECTION_MESSAGE)) return true;
    const wrapped = candidate as { driverError?: unknown; cause?: unknown };
    candidate = wrapped.driverError ?? wrapped.cause;
  }
  return false;
}

function isErrorLike(value: unknown): value is { message: string; code?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}
