import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequestText } from './http-request.js';

describe('httpRequestText', () => {
  let server: Server;
  let base: URL;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/echo') {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => res.writeHead(201, { 'content-type': 'text/plain' }).end(`${req.method} ${body}`));
      } else if (req.url === '/big') res.end(Buffer.alloc(64 * 1024, 'x'));
      else if (req.url === '/silent')
        return; // never answers
      else if (req.url === '/trickle') {
        // A byte every 50 ms: never idle long enough for the socket timeout alone.
        res.writeHead(200);
        const drip = setInterval(() => res.write('.'), 50);
        res.on('close', () => clearInterval(drip));
        return;
      } else res.writeHead(404).end('nope');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the body and returns status and text', async () => {
    const res = await httpRequestText(new URL('/echo', base), { method: 'POST', body: 'héllo', timeoutMs: 5000 });
    expect(res).toMatchObject({ status: 201, ok: true, text: 'POST héllo' });
    expect(res.headers['content-type']).toBeDefined();
    expect((await httpRequestText(new URL('/x', base), { timeoutMs: 5000 })).ok).toBe(false);
  });

  it('refuses an answer larger than its bound, and gives up on a server that never answers', async () => {
    await expect(httpRequestText(new URL('/big', base), { timeoutMs: 5000, maxBytes: 1024 })).rejects.toThrow(
      'larger than 1024 bytes',
    );
    await expect(httpRequestText(new URL('/silent', base), { timeoutMs: 200 })).rejects.toThrow('no answer within');
    server.closeAllConnections();
  });

  it('bounds the whole call, not only the silences: a server trickling bytes is cut off too', async () => {
    await expect(httpRequestText(new URL('/trickle', base), { timeoutMs: 300 })).rejects.toThrow(
      'no answer within 300 ms',
    );
    server.closeAllConnections();
  });
});
