/**
 * The login throttle of two server instances behind one load balancer is one throttle
 * (its counts live in Redis): guesses spread over both instances add up, a lock-out
 * started on one is enforced by the other, and the user at the address they logged in
 * from before still gets in through either.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Api } from '../harness/api-client.js';
import { createMysqlSchema } from '../harness/databases.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

const REDIS_URL = process.env.SHOAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DESK = '198.51.100.7';
const PASSWORD = 'dora-password-1';

describe('login throttle shared by two instances on Redis', () => {
  const prefix = `shoal-test-${randomBytes(4).toString('hex')}:`;
  let schema: { url: string; drop: () => Promise<void> };
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    schema = await createMysqlSchema();
    // The test is the load balancer: it tells each instance the client's address.
    const env = { REDIS_URL, SHOAL_REDIS_PREFIX: prefix, SHOAL_TRUSTED_PROXIES: 'loopback' };
    a = await startServer({ databaseUrl: schema.url, env });
    b = await startServer({ databaseUrl: schema.url, env });
    const admin = await new Api(a.url).login('admin', ADMIN_PASSWORD);
    expect(
      (await admin.post('/api/admin/users', { username: 'dora', password: PASSWORD, role: 'member' })).status,
    ).toBe(201);
  });

  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    await schema?.drop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  async function login(server: RunningServer, from: string, username: string, password: string) {
    return new Api(server.url).request('POST', '/api/auth/login', { username, password }, { 'x-forwarded-for': from });
  }

  it('counts guesses made on both instances together, and each enforces the wait the other started', async () => {
    // dora logs in from her desk (through B): that pair is known good from now on.
    expect((await login(b, DESK, 'dora', PASSWORD)).status).toBe(200);
    // Five free guesses from one address, split over the instances; a single instance
    // would have seen at most three and let the next one through.
    const guesser = '203.0.113.5';
    const guesses: number[] = [];
    for (const server of [a, b, a, b, a]) guesses.push((await login(server, guesser, 'dora', 'guess')).status);
    expect(guesses).toEqual([401, 401, 401, 401, 401]);
    for (const server of [b, a]) {
      const refused = await login(server, guesser, 'dora', PASSWORD);
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('too_many_requests');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Nobody else is slowed: dora at her desk still gets in.
    expect((await login(b, DESK, 'dora', PASSWORD)).status).toBe(200);
  });

  it("locks the account out of new places once a botnet spread over both instances spends its budget, but not dora's desk", async () => {
    // One guess per address, alternating instances: no pair is ever throttled, only the
    // account's hourly budget (50 failures) runs out, five of which the test above spent.
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      statuses.push((await login(i % 2 ? a : b, `192.0.2.${i + 1}`, 'dora', `botnet-${i}`)).status);
    }
    expect(statuses).toEqual([...Array(46).fill(401), ...Array(4).fill(429)]);
    // A place dora never logged in from is refused by both instances, even with her password...
    expect((await login(a, '198.51.100.99', 'dora', PASSWORD)).status).toBe(429);
    expect((await login(b, '198.51.100.99', 'dora', PASSWORD)).status).toBe(429);
    // ...while her desk, known good through B only, still gets in through A as well as B.
    const atDesk = await login(a, DESK, 'dora', PASSWORD);
    expect(atDesk.status).toBe(200);
    expect(atDesk.body.user.username).toBe('dora');
    expect((await login(b, DESK, 'dora', PASSWORD)).status).toBe(200);
  });
});
