import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Largest answer the agent reads from its server (a manifest of the largest allowed resource fits). */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface HttpAnswer {
  status: number;
  ok: boolean;
  text: string;
  headers: IncomingMessage['headers'];
}

/**
 * One HTTP(S) request to the server, answer read whole (bounded by `maxBytes`).
 * node:http rather than fetch: loading fetch's implementation costs CPU at every `shoal get`
 * start, paid by every downloader of a swarm at the same moment.
 */
export function httpRequestText(
  url: URL,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs: number; maxBytes?: number },
): Promise<HttpAnswer> {
  const maxBytes = opts.maxBytes ?? MAX_RESPONSE_BYTES;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: opts.method ?? 'GET',
        headers: {
          ...opts.headers,
          ...(opts.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(opts.body)) }),
        },
        // `timeout` is the socket's idle time; the signal bounds the whole call, so a server
        // trickling a byte now and then cannot stretch it (a stopping agent's goodbye, say).
        timeout: opts.timeoutMs,
        signal: AbortSignal.timeout(opts.timeoutMs),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy(new Error(`answer larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            text: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (err) =>
      reject(err.name === 'AbortError' ? new Error(`no answer within ${opts.timeoutMs} ms`) : err),
    );
    req.end(opts.body);
  });
}
