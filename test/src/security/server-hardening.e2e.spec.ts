/**
 * Server hardening against anonymous and local attackers, on a real server process:
 * bounded bodies before authentication, a private data dir, lock-outs that cannot be
 * turned against a real user.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { connect } from 'node:net';
import { Api } from '../harness/api-client.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../harness/server.js';

/** Sends `size` bytes of a JSON body and resolves with the status once the server answers (it may close early). */
function postHuge(url: string, path: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(size) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err) => reject(err));
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(sent <= size ? chunk : chunk.subarray(0, chunk.length - (sent - size))))
          return req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

interface ChunkedFlood {
  /** Bytes of body handed to the socket when the server answered or closed the connection. */
  sentWhenCutOff: number;
  /** The answer's status, or null when the connection closed before an answer was read. */
  status: number | null;
  body: string;
  /** Whether the server closed the connection (rather than keep it, to read the rest). */
  closedByServer: boolean;
}

/**
 * What an attacker does: a chunked JSON body (Transfer-Encoding: chunked, no
 * Content-Length) of `size` bytes, written as fast as the socket takes it, with no end
 * in sight for the server. Stops writing the moment the server answers or closes.
 */
function floodChunked(port: number, path: string, size: number): Promise<ChunkedFlood> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let sent = 0;
    let cutOffAt: number | null = null;
    let answer = '';
    let closedByServer = false;
    const cutOff = () => (cutOffAt ??= sent);
    socket.on('data', (d: Buffer) => {
      cutOff();
      answer += d.toString();
      // A server that keeps the connection after answering would go on reading the body.
      setTimeout(() => socket.destroy(), 2_000).unref();
    });
    const closed = () => {
      cutOff();
      closedByServer = true;
    };
    socket.on('end', closed);
    socket.on('error', closed); // EPIPE/ECONNRESET: the server closed while we wrote
    socket.on('close', () => {
      cutOff();
      const [head, ...body] = answer.split('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      resolve({
        sentWhenCutOff: cutOffAt!,
        status: status ? Number(status[1]) : null,
        body: body.join('\r\n\r\n'),
        closedByServer,
      });
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    // The start of a login, then a password that never ends, 64 KiB a chunk.
    const CHUNK = 64 * 1024;
    const frame = (data: Buffer) =>
      Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
    const opening = Buffer.from('{"username":"admin","password":"');
    const firstFrame = frame(Buffer.concat([opening, Buffer.alloc(CHUNK - opening.length, 0x61)]));
    const nextFrame = frame(Buffer.alloc(CHUNK, 0x61));
    const pump = (): void => {
      while (cutOffAt === null && sent < size) {
        const ok = socket.write(sent === 0 ? firstFrame : nextFrame);
        sent += CHUNK;
        if (!ok) {
          socket.once('drain', pump);
          return;
        }
      }
      // All of it sent and still no answer: end the body, so a server that reads it all answers at last.
      if (cutOffAt === null) socket.end('0\r\n\r\n');
    };
    pump();
  });
}

/** The resident memory of a process, in bytes (Linux). */
function rssOf(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb[1]) * 1024;
}

const MiB = 1024 * 1024;

describe('server hardening', () => {
  let server: RunningServer;
  let anon: Api;

  beforeAll(async () => {
    server = await startServer({ db: 'sqlite' });
    anon = new Api(server.url);
  });
  afterAll(async () => server?.destroy());

  it('answers a 100 MB anonymous login body 413 in the error format', async () => {
    const status = await postHuge(server.url, '/api/auth/login', 100 * 1024 * 1024).catch(() => 413);
    expect(status).toBe(413);
    const small = await anon.request('POST', '/api/auth/login', ' '.repeat(2 * 1024 * 1024), {
      'content-type': 'application/json',
    });
    expect(small.status).toBe(413);
    expect(small.body.code).toBe('payload_too_large');
    expect((await anon.get('/health')).status).toBe(200);
  });

  it('cuts a 100 MB chunked login body off at the limit with 413, staying live and small meanwhile', async () => {
    // Two attackers stream chunked bodies for 3 s, each starting over once cut off, while
    // a prober keeps asking /health/live and the server's memory is sampled. A server
    // that read each body to its end would take all 100 MB of the first before answering.
    const pid = server.pid();
    const rssBefore = rssOf(pid);
    let rssMax = rssBefore;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssOf(pid))), 50);
    const deadline = Date.now() + 3_000;
    const floods: ChunkedFlood[] = [];
    let attacking = true;
    const attacker = async () => {
      while (Date.now() < deadline) floods.push(await floodChunked(server.port, '/api/auth/login', 100 * MiB));
    };
    const attackers = Promise.all([attacker(), attacker()]).finally(() => (attacking = false));
    const latencies: number[] = [];
    while (attacking) {
      const started = performance.now();
      expect((await anon.get('/health/live')).status).toBe(200);
      latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
    await attackers;
    clearInterval(sampler);

    expect(floods.length).toBeGreaterThan(2);
    for (const flood of floods) {
      // Beyond the 1 MiB the server reads, only what loopback socket buffers hold was written.
      expect(flood.sentWhenCutOff).toBeLessThan(32 * MiB);
      expect(flood.closedByServer).toBe(true);
      // An answer read before the server's close reset the connection is always the 413.
      if (flood.status !== null) expect(flood.status).toBe(413);
    }
    const answered = floods.filter((f) => f.status === 413);
    expect(answered.length).toBeGreaterThan(0);
    expect(JSON.parse(answered[0].body)).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
    expect(latencies.length).toBeGreaterThan(5);
    expect(Math.max(...latencies)).toBeLessThan(1_000);
    expect(rssMax - rssBefore).toBeLessThan(200 * MiB);
    // And a real login still succeeds once the attack is over.
    expect((await anon.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
  });

  it('answers deeply nested JSON 400, never 500', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const res = await anon.request('POST', '/api/auth/login', deep, { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('json_too_deep');
  });

  it('keeps its data dir and database private', () => {
    expect(statSync(server.dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(server.dataDir, 'shoal.sqlite')).mode & 0o777).toBe(0o600);
  });

  it('ignores X-Forwarded-For without SHOAL_TRUSTED_PROXIES; a spraying attacker cannot lock out admin at a known-good address', async () => {
    // admin's successful login makes this address known good for admin.
    expect((await anon.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
    for (let i = 0; i < 110; i++) {
      await anon.request(
        'POST',
        '/api/auth/login',
        { username: `nobody-${i}`, password: 'wrong-password' },
        { 'x-forwarded-for': `198.51.100.${i % 250}` },
      );
    }
    // The forged addresses were ignored: every failure counted against this one address.
    const blocked = await anon.post('/api/auth/login', { username: 'nobody-new', password: 'wrong-password' });
    expect(blocked.status).toBe(429);
    expect((await anon.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
    const audit = await (await anon.login('admin', ADMIN_PASSWORD)).get('/api/admin/audit?size=200');
    const actions = audit.body.items.map((e: { action: string; address: string }) => `${e.action}@${e.address}`);
    expect(actions).toEqual(expect.arrayContaining(['auth.login-failed@127.0.0.1', 'auth.lockout@127.0.0.1']));
    // No header the client wrote became an address the server used.
    expect(audit.body.items.filter((e: { address: string | null }) => e.address?.startsWith('198.51.100.'))).toEqual(
      [],
    );
  });
});

describe('server hardening behind a trusted proxy (SHOAL_TRUSTED_PROXIES=127.0.0.1)', () => {
  // Loopback plays the load balancer: it appends the address it saw to X-Forwarded-For,
  // after whatever the client wrote there itself.
  const ATTACKER = '203.0.113.7';
  const ADMIN_DESK = '198.51.100.20';
  let server: RunningServer;
  let anon: Api;

  type Entry = { action: string; username: string | null; address: string | null; detail: string | null };

  beforeAll(async () => {
    server = await startServer({ db: 'sqlite', env: { SHOAL_TRUSTED_PROXIES: '127.0.0.1' } });
    anon = new Api(server.url);
  });
  afterAll(async () => server?.destroy());

  /** A login as the proxy forwards it for `client`, who wrote `forged` into X-Forwarded-For. */
  async function loginVia(client: string, username: string, password: string, forged?: string): Promise<number> {
    const xff = forged ? `${forged}, ${client}` : client;
    return (await anon.request('POST', '/api/auth/login', { username, password }, { 'x-forwarded-for': xff })).status;
  }

  async function auditEntries(): Promise<Entry[]> {
    const res = await (await anon.login('admin', ADMIN_PASSWORD)).get('/api/admin/audit?size=200');
    expect(res.status).toBe(200);
    return res.body.items;
  }

  it('throttles the attacker at his forwarded address, lets admin in from another, and audits the forwarded address', async () => {
    // Guesses at admin's password, then a spray of made-up users, each with a different
    // address of the attacker's choosing in front of the one the proxy saw.
    const forAdmin: number[] = [];
    for (let i = 0; i < 20; i++) forAdmin.push(await loginVia(ATTACKER, 'admin', `guess-${i}`, `10.0.${i}.1`));
    const forGhosts: number[] = [];
    for (let i = 0; i < 110; i++)
      forGhosts.push(await loginVia(ATTACKER, `ghost-${i}`, 'wrong-password', `10.1.${i}.1`));
    // Five free guesses for admin from there, then a wait; the address's hourly budget runs out during the spray.
    expect(forAdmin.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(forAdmin.slice(5))).toEqual(new Set([429]));
    expect(forGhosts[0]).toBe(401);
    expect(forGhosts.at(-1)).toBe(429);
    // The attacker's address stays throttled whatever he writes in front of it, even with admin's real password.
    expect(await loginVia(ATTACKER, 'ghost-new', 'wrong-password', '10.2.0.1')).toBe(429);
    expect(await loginVia(ATTACKER, 'admin', ADMIN_PASSWORD, '10.2.0.2')).toBe(429);
    expect(await loginVia(ATTACKER, 'admin', ADMIN_PASSWORD)).toBe(429);
    // admin, from their own desk (never used before), is not locked out.
    expect(await loginVia(ADMIN_DESK, 'admin', ADMIN_PASSWORD)).toBe(200);

    const entries = await auditEntries();
    const failed = entries.filter((e) => e.action === 'auth.login-failed');
    expect(failed.filter((e) => e.username === 'admin').map((e) => e.address)).toEqual(Array(5).fill(ATTACKER));
    expect(failed.filter((e) => e.username?.startsWith('ghost-')).length).toBeGreaterThan(90);
    expect(new Set(failed.map((e) => e.address))).toEqual(new Set([ATTACKER]));
    expect(
      entries.filter((e) => e.action === 'auth.lockout').map((e) => `${e.username}@${e.address} ${e.detail}`),
    ).toEqual(
      expect.arrayContaining([
        `admin@${ATTACKER} account-address throttled for 30 s`,
        expect.stringMatching(
          new RegExp(`^ghost-\\d+@${ATTACKER.replace(/\./g, '\\.')} address throttled for 3600 s$`),
        ),
      ]),
    );
    expect(entries.filter((e) => e.action === 'auth.login').map((e) => e.address)).toContain(ADMIN_DESK);
    // Nothing the client wrote in front of the proxy's entry was ever taken as an address.
    expect(entries.filter((e) => e.address?.startsWith('10.'))).toEqual([]);
  });

  it('keeps admin in at their known-good address while a botnet spends the account budget', async () => {
    // 60 addresses, one wrong admin password each. An account may fail 50 times an hour:
    // 5 were the attacker's above, 45 are these, and the 46th starts the block.
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push(await loginVia(`192.0.2.${i + 1}`, 'admin', `botnet-guess-${i}`));
    expect(statuses).toEqual([...Array(46).fill(401), ...Array(14).fill(429)]);
    // admin logged in from the desk in the test above: that pair is known good.
    expect(await loginVia(ADMIN_DESK, 'admin', ADMIN_PASSWORD)).toBe(200);
    // A place admin never logged in from waits out the hour, as a new botnet address does.
    expect(await loginVia('198.51.100.99', 'admin', ADMIN_PASSWORD)).toBe(429);

    const entries = await auditEntries();
    const botnet = entries.filter((e) => e.action === 'auth.login-failed' && e.address?.startsWith('192.0.2.'));
    expect(botnet.length).toBe(46);
    expect(entries.map((e) => `${e.action} ${e.detail}`)).toContain('auth.lockout account throttled for 3600 s');
  });
});
