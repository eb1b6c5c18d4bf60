import type { RedisOptions } from 'ioredis';

/**
 * Where the shared state lives, from REDIS_URL:
 *
 *   redis://[[user]:password@]host:port[/db]             one Redis (rediss:// for TLS)
 *   redis+sentinel://[[user]:password@]host:port,host:port,.../<primary name>[/db][?sentinelPassword=...]
 *                                                        the primary that Redis Sentinel names
 *
 * With Sentinel the client asks the sentinels which server is the primary, and asks again
 * whenever it loses the connection or a sentinel announces a failover, so an instance
 * follows a failover without a restart. The password in the user part is the data
 * servers'; sentinels that require their own take `sentinelPassword`.
 */
export type RedisConnection = { url: string } | { sentinel: RedisOptions };

export class RedisUrlError extends Error {}

const SENTINEL_URL = /^redis\+sentinel:\/\/(?:([^@/]*)@)?([^/?#@]+)\/([^/?#]+)(?:\/(\d{1,2}))?(?:\?([^#]*))?$/;
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const MAX_SENTINELS = 16;

export function parseRedisUrl(value: string): RedisConnection {
  if (/^rediss?:\/\//.test(value)) return { url: value };
  if (value.startsWith('rediss+sentinel://')) {
    throw new RedisUrlError('REDIS_URL: TLS to Redis Sentinel (rediss+sentinel://) is not supported yet');
  }
  const m = SENTINEL_URL.exec(value);
  if (!m) {
    throw new RedisUrlError(
      'REDIS_URL must be redis://host:port[/db], rediss://… or redis+sentinel://host:port,host:port/<primary name>[/db]',
    );
  }
  const [, userInfo, hostList, name, db, query] = m;
  const hosts = hostList.split(',');
  if (hosts.length > MAX_SENTINELS) throw new RedisUrlError(`REDIS_URL names more than ${MAX_SENTINELS} sentinels`);
  const sentinels = hosts.map((h) => {
    const hp = HOST_PORT.exec(h);
    const port = hp ? Number(hp[2]) : 0;
    if (!hp || port < 1 || port > 65535) throw new RedisUrlError(`REDIS_URL: sentinel "${h}" is not host:port`);
    return { host: hp[1].replace(/^\[|\]$/g, ''), port };
  });
  const params = new URLSearchParams(query ?? '');
  for (const key of params.keys()) {
    if (key !== 'sentinelPassword')
      throw new RedisUrlError(`REDIS_URL: unknown parameter "${key}" (sentinelPassword only)`);
  }
  const [user, password] = userInfo === undefined ? [] : splitUserInfo(userInfo);
  return {
    sentinel: {
      sentinels,
      name: decodeURIComponent(name),
      db: db === undefined ? 0 : Number(db),
      ...(user ? { username: user } : {}),
      ...(password ? { password } : {}),
      ...(params.get('sentinelPassword') ? { sentinelPassword: params.get('sentinelPassword')! } : {}),
      // Subscribe to the sentinels' +switch-master and reconnect at once, instead of only
      // when the old primary's connection fails.
      failoverDetector: true,
    },
  };
}

function splitUserInfo(userInfo: string): [string, string] {
  const colon = userInfo.indexOf(':');
  const user = colon < 0 ? userInfo : userInfo.slice(0, colon);
  const password = colon < 0 ? '' : userInfo.slice(colon + 1);
  return [decodeURIComponent(user), decodeURIComponent(password)];
}

/**
 * A write sent to a server that has just become a replica (the old primary, back after a
 * failover) is answered READONLY: reconnect, which asks the sentinels again, and resend it.
 */
export function reconnectOnReadOnly(err: Error): 2 | false {
  return err.message.startsWith('READONLY') ? 2 : false;
}
