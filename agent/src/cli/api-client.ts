import type { ApiErrorBody } from '@shoal/contract';
import { httpRequestText, type HttpAnswer } from '../util/http-request.js';
import { CliError, EXIT } from './exit-codes.js';

const TIMEOUT_MS = 30_000;

/** Calls the Shoal server; every failure becomes a CliError with the server's message and a fitting exit code. */
export async function callApi<T>(
  serverUrl: string,
  path: string,
  opts: { method?: string; token?: string; body?: unknown; raw?: boolean } = {},
): Promise<T> {
  const url = new URL(path, serverUrl);
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  let res: HttpAnswer;
  try {
    res = await httpRequestText(url, {
      method,
      headers: {
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      timeoutMs: TIMEOUT_MS,
    });
  } catch (err) {
    throw new CliError(`cannot reach the server at ${url.origin}: ${(err as Error).message}`, EXIT.serverUnreachable);
  }
  const text = res.text;
  if (!res.ok) {
    let body: Partial<ApiErrorBody> = {};
    try {
      body = JSON.parse(text) as ApiErrorBody;
    } catch {
      body = { message: text.slice(0, 300) };
    }
    const fields = body.errors
      ? ` (${Object.entries(body.errors)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; ')})`
      : '';
    const message =
      `${method} ${url.pathname} failed: ${res.status} ${body.code ?? ''} ${body.message ?? ''}${fields}`.replace(
        /\s+/g,
        ' ',
      );
    const code =
      res.status === 401 || res.status === 403 ? EXIT.unauthorized : res.status === 404 ? EXIT.notFound : EXIT.failure;
    throw new CliError(message, code);
  }
  if (opts.raw) return text as T;
  return (text ? JSON.parse(text) : undefined) as T;
}
