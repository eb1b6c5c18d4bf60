import { nodeProofHeaders } from '@shoal/contract';
import type { KeyObject } from 'node:crypto';

/**
 * A small fetch wrapper for tests: JSON in, status + JSON (or text) out. With a node key,
 * `token` is that node's credential and every request carries a fresh proof signed with
 * the key (contract/src/node-proof.ts), as the agent sends it.
 */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    public token: string | null = null,
    readonly nodeKey: KeyObject | null = null,
  ) {}

  withToken(token: string | null): Api {
    return new Api(this.baseUrl, token);
  }

  /** Calls as a node: its credential, with a proof from its key on every request. */
  asNode(credential: string, key: KeyObject): Api {
    return new Api(this.baseUrl, credential, key);
  }

  /** The same caller against another server (another instance of one deployment). */
  at(baseUrl: string): Api {
    return new Api(baseUrl, this.token, this.nodeKey);
  }

  /** The headers this caller would send for one request (a node's include a fresh proof). */
  async authHeaders(method: string, path: string): Promise<Record<string, string>> {
    if (!this.token) return {};
    if (!this.nodeKey) return { authorization: `Bearer ${this.token}` };
    return nodeProofHeaders({ credential: this.token, key: this.nodeKey, method, url: new URL(path, this.baseUrl) });
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(await this.authHeaders(method, path)),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  async login(username: string, password: string): Promise<Api> {
    const res = await this.post<{ accessToken: string }>('/api/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${res.text}`);
    return this.withToken(res.body.accessToken);
  }
}
