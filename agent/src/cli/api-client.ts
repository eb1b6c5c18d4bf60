import {
  AGENT_VERSION_HEADER,
  API_VERSION,
  apiTooOld,
  nodeProofHeaders,
  OLDEST_API_VERSION,
  parseVersionHeader,
  SERVER_VERSION_HEADER,
  versionHeader,
  type ApiErrorBody,
} from '@shoal/contract';
import { readFile } from 'node:fs/promises';
import { NodeKey } from '../engine/index.js';
import { retryAfterOf } from '../util/backoff.js';
import { httpRequestText, type HttpAnswer } from '../util/http-request.js';
import { AGENT_VERSION } from '../version.js';
import { CliError, EXIT } from './exit-codes.js';
import { VersionNotice } from './version-notice.js';

const TIMEOUT_MS = 30_000;

/** One per process: every call of this agent shares it. */
const versionNotice = new VersionNotice();

/** A node's own call: its credential, and the key it is bound to, which signs a fresh proof per request. */
export interface NodeCaller {
  credential: string;
  key: NodeKey;
}

/** This machine's node caller: its credential and the key kept beside it in the data directory. */
export async function nodeCaller(
  dataDir: { path(...parts: string[]): string },
  credential: string,
): Promise<NodeCaller> {
  return { credential, key: NodeKey.fromPem(await readFile(dataDir.path('node-key.pem'), 'utf8')) };
}

/**
 * Calls the Shoal server; every failure becomes a CliError with the server's message and
 * a fitting exit code. `token` is a user's access token; `node` makes a node call.
 */
export async function callApi<T>(
  serverUrl: string,
  path: string,
  opts: { method?: string; token?: string; node?: NodeCaller; body?: unknown; raw?: boolean; timeoutMs?: number } = {},
): Promise<T> {
  const url = new URL(path, serverUrl);
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  const auth: Record<string, string> = opts.node
    ? await nodeProofHeaders({ credential: opts.node.credential, key: opts.node.key.privateKey, method, url })
    : opts.token
      ? { authorization: `Bearer ${opts.token}` }
      : {};
  let res: HttpAnswer;
  try {
    res = await httpRequestText(url, {
      method,
      headers: {
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...auth,
        [AGENT_VERSION_HEADER]: versionHeader(AGENT_VERSION),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      timeoutMs: opts.timeoutMs ?? TIMEOUT_MS,
    });
  } catch (err) {
    throw new CliError(`cannot reach the server at ${url.origin}: ${(err as Error).message}`, EXIT.serverUnreachable);
  }
  const server = parseVersionHeader(res.headers[SERVER_VERSION_HEADER]);
  if (server && apiTooOld(server.api)) {
    throw new CliError(
      `this server (${server.release}, API ${server.api}) is older than this agent (${AGENT_VERSION}, API ${API_VERSION}) ` +
        `works with (API ${OLDEST_API_VERSION} or later): upgrade the server, or use the agent it hands out at ${url.origin}/downloads/shoal`,
      EXIT.usage,
    );
  }
  // A 426 already says which versions and where to go; anything else gets the notice once.
  if (server && res.status !== 426) versionNotice.check(server, url.origin);
  const text = res.text;
  if (!res.ok) {
    let body: Partial<ApiErrorBody> = {};
    try {
      body = JSON.parse(text) as ApiErrorBody;
    } catch {
      body = { message: text.slice(0, 300) };
    }
    // Versions that cannot work together: the server's sentence says what to upgrade.
    if (res.status === 426 && body.message) throw new CliError(body.message, EXIT.usage);
    // The server's message already names each bad field; its `errors` map is only added
    // when the message does not say them (said twice, "name: … (name: …)", read as two errors).
    const said = body.message ?? '';
    const unsaid = Object.entries(body.errors ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .filter((f) => !said.includes(f));
    const fields = unsaid.length ? ` (${unsaid.join('; ')})` : '';
    const message =
      `${method} ${url.pathname} failed: ${res.status} ${body.code ?? ''} ${body.message ?? ''}${fields}`.replace(
        /\s+/g,
        ' ',
      );
    // A request the server refuses as invalid carried what the user typed (a name, a tag): a usage error.
    const code =
      res.status === 401 || res.status === 403
        ? EXIT.unauthorized
        : res.status === 404
          ? EXIT.notFound
          : res.status === 400 && body.code === 'validation_failed'
            ? EXIT.usage
            : EXIT.failure;
    throw new CliError(message, code, retryAfterOf(res.status, res.headers));
  }
  if (opts.raw) return text as T;
  return (text ? JSON.parse(text) : undefined) as T;
}
