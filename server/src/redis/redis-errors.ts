/**
 * Whether an error is ioredis giving up on a command because Redis could not be reached
 * (down, refusing connections, connection lost): the command was never answered. Errors
 * Redis itself answers with (ReplyError) are not this: those are bugs, and stay 500s.
 */
export function isRedisUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // Retries exhausted while (re)connecting: what every command gets while Redis is down.
  if (err.name === 'MaxRetriesPerRequestError') return true;
  // The connection ended for good, or the offline queue is off and it is not connected.
  return err.message === 'Connection is closed.' || err.message.startsWith("Stream isn't writeable");
}
