import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseRedisUrl, RedisUrlError } from '../redis/redis-connection.js';
import { loadOidcConfig, type OidcConfig } from './oidc-config.js';

/**
 * Everything the server reads from its environment, validated once at start-up so a
 * typo fails loudly instead of running with a surprising default.
 */
export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Unset: SQLite file in the data dir. `mysql://user:pass@host:port/db`: MySQL/MariaDB. */
  databaseUrl: string | null;
  redisUrl: string | null;
  /** Prefix of every Redis key, so several deployments (or test runs) can share one Redis. */
  redisPrefix: string;
  adminPassword: string | null;
  /** Base URL agents and browsers reach this server at (goes into manifests). */
  publicUrl: string;
  /** Origins allowed by CORS; empty means CORS is closed. */
  corsOrigins: string[];
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /** Where the portal's built files are; served at `/` when present. */
  portalDir: string;
  /** Where the release's agent executable (`shoal`, `shoal.sha256`) is, to hand out at /downloads/shoal. */
  agentDir: string;
  /**
   * The seed server built into this process (uploads from the portal are stored, hashed,
   * published and served by it). Off with SHOAL_BUILTIN_SEED=off.
   */
  builtinSeed: { enabled: boolean; host: string; port: number; advertise: string | null };
  /** Bearer token Prometheus must show at /metrics; null leaves /metrics open (counts only). */
  metricsToken: string | null;
  /** Above this many names starting with a search's first word, the search walks the sort index. */
  searchWalkThreshold: number;
  /** Largest upload accepted by the built-in seed, in bytes. */
  maxUploadBytes: number;
  /**
   * Addresses (IPs, CIDRs, or Express's names `loopback`, `linklocal`, `uniquelocal`) of
   * the load balancers in front of this server. Only a request from one of these has its
   * X-Forwarded-For believed; empty: the TCP peer is the client, X-Forwarded-For ignored.
   */
  trustedProxies: string[];
  /** Nodes a user may enroll with their own login (not revoked ones); admins' enrollment tokens are not counted. */
  maxNodesPerUser: number;
  /** Audit entries older than this many days are deleted (SHOAL_AUDIT_RETENTION_DAYS); 0 keeps them forever. */
  auditRetentionDays: number;
  /** Heartbeats and announces in progress on this instance beyond which more are answered 429 at once. */
  maxInflightNodeRequests: number;
  /** Single sign-on (SHOAL_OIDC_*); null: local accounts only. */
  oidc: OidcConfig | null;
}

export class ConfigError extends Error {}

function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer 0-65535, got "${raw}"`);
  }
  return port;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustedProxies(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (PROXY_NAMES.has(entry)) continue;
    const [ip, bits, ...rest] = entry.split('/');
    const family = isIP(ip);
    const maxBits = family === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!family || !validBits || rest.length) {
      throw new ConfigError(
        `SHOAL_TRUSTED_PROXIES must be comma-separated IPs or CIDRs (or loopback, linklocal, uniquelocal), got "${entry}"`,
      );
    }
  }
  return entries;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = parsePort(env.PORT, 3000);
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^mysql:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a mysql://user:pass@host:port/db URL (unset for SQLite)');
  }
  const redisUrl = env.REDIS_URL?.trim() || null;
  if (redisUrl) {
    try {
      parseRedisUrl(redisUrl);
    } catch (err) {
      if (err instanceof RedisUrlError) throw new ConfigError(err.message);
      throw err;
    }
  }
  const adminPassword = env.SHOAL_ADMIN_PASSWORD || null;
  if (adminPassword !== null && adminPassword.length < 8) {
    throw new ConfigError('SHOAL_ADMIN_PASSWORD must be at least 8 characters');
  }
  const logLevel = (env.SHOAL_LOG_LEVEL ?? 'log') as AppConfig['logLevel'];
  if (!['error', 'warn', 'log', 'debug', 'verbose'].includes(logLevel)) {
    throw new ConfigError('SHOAL_LOG_LEVEL must be one of error, warn, log, debug, verbose');
  }
  const publicUrl = (env.SHOAL_PUBLIC_URL?.trim() || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`SHOAL_PUBLIC_URL must be a URL, got "${publicUrl}"`);
  }
  const seedPort = parsePort(env.SHOAL_BUILTIN_SEED_PORT, 7071);
  const maxUploadBytes = Number(env.SHOAL_MAX_UPLOAD_BYTES ?? 1024 ** 4);
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes <= 0) {
    throw new ConfigError('SHOAL_MAX_UPLOAD_BYTES must be a positive integer');
  }
  const maxNodesPerUser = Number(env.SHOAL_MAX_NODES_PER_USER ?? 20);
  if (!Number.isSafeInteger(maxNodesPerUser) || maxNodesPerUser < 1) {
    throw new ConfigError('SHOAL_MAX_NODES_PER_USER must be a positive integer');
  }
  const auditRetentionDays = Number(env.SHOAL_AUDIT_RETENTION_DAYS ?? 365);
  if (!Number.isSafeInteger(auditRetentionDays) || auditRetentionDays < 0 || auditRetentionDays > 36_500) {
    throw new ConfigError(
      'SHOAL_AUDIT_RETENTION_DAYS must be a whole number of days, 0-36500 (0 keeps the log forever)',
    );
  }
  const maxInflightNodeRequests = Number(env.SHOAL_MAX_INFLIGHT_NODE_REQUESTS ?? 512);
  if (!Number.isSafeInteger(maxInflightNodeRequests) || maxInflightNodeRequests < 1) {
    throw new ConfigError('SHOAL_MAX_INFLIGHT_NODE_REQUESTS must be a positive integer');
  }
  const seedSwitch = (env.SHOAL_BUILTIN_SEED ?? 'on').toLowerCase();
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(seedSwitch)) {
    throw new ConfigError('SHOAL_BUILTIN_SEED must be on or off');
  }
  return {
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    dataDir: resolve(env.SHOAL_DATA_DIR?.trim() || './data'),
    databaseUrl,
    redisUrl,
    redisPrefix: env.SHOAL_REDIS_PREFIX?.trim() || 'shoal:',
    adminPassword,
    publicUrl,
    corsOrigins: (env.SHOAL_CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    logLevel,
    builtinSeed: {
      enabled: ['on', 'true', '1'].includes(seedSwitch),
      host: env.SHOAL_BUILTIN_SEED_HOST?.trim() || '0.0.0.0',
      port: seedPort,
      advertise: env.SHOAL_BUILTIN_SEED_ADVERTISE?.trim() || null,
    },
    maxUploadBytes,
    trustedProxies: parseTrustedProxies(env.SHOAL_TRUSTED_PROXIES),
    maxNodesPerUser,
    auditRetentionDays,
    maxInflightNodeRequests,
    oidc: loadOidcConfig(env),
    searchWalkThreshold: Math.max(0, Number(env.SHOAL_SEARCH_WALK_THRESHOLD ?? 10_000) || 0),
    metricsToken: env.SHOAL_METRICS_TOKEN?.trim() || null,
    portalDir: resolve(
      env.SHOAL_PORTAL_DIR?.trim() ||
        new URL('../../../admin-portal/dist/admin-portal/browser', import.meta.url).pathname,
    ),
    agentDir: resolve(env.SHOAL_AGENT_DIR?.trim() || new URL('../../../dist/release', import.meta.url).pathname),
  };
}

/** Injection token for AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
