import { parseRedisUrl, RedisUrlError } from './redis-connection.js';

describe('parseRedisUrl', () => {
  it('passes one Redis through as its URL, for ioredis to read', () => {
    expect(parseRedisUrl('redis://:secret@cache:6379/2')).toEqual({ url: 'redis://:secret@cache:6379/2' });
    expect(parseRedisUrl('rediss://cache:6380')).toEqual({ url: 'rediss://cache:6380' });
  });

  it('reads the sentinels, the primary name, the database and both passwords', () => {
    const parsed = parseRedisUrl(
      'redis+sentinel://:p%40ss@10.0.0.1:26379,s2.example:26380,[::1]:26381/shoal-main/3?sentinelPassword=sp',
    );
    expect(parsed).toEqual({
      sentinel: {
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: 's2.example', port: 26380 },
          { host: '::1', port: 26381 },
        ],
        name: 'shoal-main',
        db: 3,
        password: 'p@ss',
        sentinelPassword: 'sp',
        failoverDetector: true,
      },
    });
    expect(parseRedisUrl('redis+sentinel://s1:26379/main')).toEqual({
      sentinel: { sentinels: [{ host: 's1', port: 26379 }], name: 'main', db: 0, failoverDetector: true },
    });
  });

  it.each([
    ['http://cache:6379', /must be redis:\/\//],
    ['redis+sentinel://s1:26379', /must be redis:\/\//],
    ['redis+sentinel://s1/main', /sentinel "s1" is not host:port/],
    ['redis+sentinel://s1:99999/main', /sentinel "s1:99999" is not host:port/],
    ['redis+sentinel://s1:26379/main?password=x', /unknown parameter "password"/],
    ['rediss+sentinel://s1:26379/main', /not supported/],
  ])('refuses %s, saying why', (url, why) => {
    expect(() => parseRedisUrl(url)).toThrow(RedisUrlError);
    expect(() => parseRedisUrl(url)).toThrow(why);
  });
});
