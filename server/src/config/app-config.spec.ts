import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('defaults to port 3000, SQLite under ./data and closed CORS', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeNull();
    expect(config.dataDir).toMatch(/\/data$/);
    expect(config.corsOrigins).toEqual([]);
    expect(config.publicUrl).toBe('http://localhost:3000');
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ DATABASE_URL: 'postgres://x/y' }, /DATABASE_URL/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL/],
    [{ SHOAL_ADMIN_PASSWORD: 'short' }, /SHOAL_ADMIN_PASSWORD/],
    [{ SHOAL_LOG_LEVEL: 'loud' }, /SHOAL_LOG_LEVEL/],
    [{ SHOAL_TRUSTED_PROXIES: '10.0.0.1, lb.example' }, /SHOAL_TRUSTED_PROXIES/],
    [{ SHOAL_TRUSTED_PROXIES: '10.0.0.0/33' }, /SHOAL_TRUSTED_PROXIES/],
    [{ SHOAL_MAX_NODES_PER_USER: '0' }, /SHOAL_MAX_NODES_PER_USER/],
  ])('refuses %j with an error naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('reads MySQL, Redis and CORS settings', () => {
    const config = loadConfig({
      DATABASE_URL: 'mysql://u:p@db:3306/shoal',
      REDIS_URL: 'redis://cache:6379',
      SHOAL_CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.databaseUrl).toBe('mysql://u:p@db:3306/shoal');
    expect(config.redisUrl).toBe('redis://cache:6379');
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('trusts no proxy unless told, and reads the load balancers to trust', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ SHOAL_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7,fd00::/8 , loopback' }).trustedProxies).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('caps nodes per user at 20 unless told', () => {
    expect(loadConfig({}).maxNodesPerUser).toBe(20);
    expect(loadConfig({ SHOAL_MAX_NODES_PER_USER: '3' }).maxNodesPerUser).toBe(3);
  });

  it('takes 512 node requests in progress at once unless told, and refuses a limit that is not a positive integer', () => {
    expect(loadConfig({}).maxInflightNodeRequests).toBe(512);
    expect(loadConfig({ SHOAL_MAX_INFLIGHT_NODE_REQUESTS: '40' }).maxInflightNodeRequests).toBe(40);
    for (const bad of ['0', '-1', '1.5', 'many'])
      expect(() => loadConfig({ SHOAL_MAX_INFLIGHT_NODE_REQUESTS: bad })).toThrow(
        'SHOAL_MAX_INFLIGHT_NODE_REQUESTS must be a positive integer',
      );
  });
});
