import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JWKS_PATH } from '@shoal/contract';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { httpRequestText } from '../util/http-request.js';

/** A key set is a few keys; anything larger is not one. */
const MAX_JWKS_BYTES = 256 * 1024;

/** Refetch the JWKS at most this often when a credential names an unknown key. */
const MIN_REFRESH_INTERVAL_MS = 10_000;
const FETCH_TIMEOUT_MS = 5_000;

/**
 * The server's public signing keys, fetched from `<server>/.well-known/jwks.json` and kept
 * on disk, so peers can still be verified while the server is briefly unreachable.
 */
export class JwksCache {
  private keys: JSONWebKeySet | null = null;
  private getKey: JWTVerifyGetKey | null = null;
  private lastFetch = 0;

  constructor(
    private readonly serverUrl: string,
    private readonly cacheFile: string,
  ) {}

  /** Loads the disk copy, then tries the server; succeeds if either gives keys. */
  async load(): Promise<void> {
    const cached = await readFile(this.cacheFile, 'utf8').then(
      (t) => JSON.parse(t) as JSONWebKeySet,
      () => null,
    );
    if (cached) this.use(cached);
    await this.refresh().catch((err: Error) => {
      if (!this.keys) throw new Error(`cannot get the server's signing keys (${err.message}) and none are cached`);
    });
  }

  /** A key resolver for jose; an unknown key id triggers one refresh (key rotation). */
  resolver(): JWTVerifyGetKey {
    return async (header, token) => {
      if (!this.getKey) await this.load();
      try {
        return await this.getKey!(header, token);
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw err;
        if (Date.now() - this.lastFetch < MIN_REFRESH_INTERVAL_MS) throw err;
        await this.refresh().catch(() => undefined);
        return this.getKey!(header, token);
      }
    };
  }

  async refresh(): Promise<void> {
    this.lastFetch = Date.now();
    const res = await httpRequestText(new URL(JWKS_PATH, this.serverUrl), {
      timeoutMs: FETCH_TIMEOUT_MS,
      maxBytes: MAX_JWKS_BYTES,
    });
    if (!res.ok) throw new Error(`JWKS answered ${res.status}`);
    const body = JSON.parse(res.text) as JSONWebKeySet;
    if (!Array.isArray(body?.keys)) throw new Error('JWKS has no keys array');
    this.use(body);
    await mkdir(dirname(this.cacheFile), { recursive: true });
    await writeJsonAtomic(this.cacheFile, body);
  }

  private use(keys: JSONWebKeySet): void {
    this.keys = keys;
    this.getKey = createLocalJWKSet(keys);
  }
}
