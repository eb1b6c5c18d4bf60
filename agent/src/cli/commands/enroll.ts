import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import {
  LIMITS,
  ListenAddressSchema,
  NODE_ROLES,
  NODE_NAME_RULE,
  NodeNameSchema,
  SITE_RULE,
  SiteSchema,
  type EnrollRequest,
  type EnrollResponse,
  type NodeRole,
} from '@shoal/contract';
import { generateTlsMaterial, NodeKey } from '../../engine/index.js';
import { callApi } from '../api-client.js';
import type { DataDir, NodeConfig } from '../data-dir.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseHostPort } from '../runtime.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import type { Logger } from '../../util/logger.js';
import { formatHostPort, isWildcard, primaryAddress } from '../../util/net.js';

/** The port the server's enroll command suggests too. */
export const DEFAULT_LISTEN = '0.0.0.0:7070';

export interface EnrollOptions {
  server: string;
  token?: string;
  name?: string;
  role?: string;
  site?: string;
  listen?: string;
  advertise?: string[];
  /** Where download requests from the portal go; without it the machine refuses them. */
  downloadDir?: string;
}

/**
 * Creates this node's Ed25519 key and TLS certificate, enrolls it with the server (with an
 * enrollment token, or as a client with the logged-in user's token) and stores the
 * identity in the data directory.
 */
export async function enroll(dataDir: DataDir, opts: EnrollOptions, log: Logger): Promise<NodeConfig> {
  const role = (opts.role ?? (opts.token ? 'seed' : 'client')) as NodeRole;
  if (!NODE_ROLES.includes(role)) throw new CliError(`--role must be seed or client, not "${opts.role}"`, EXIT.usage);
  checkFlags(opts);
  const listen = opts.listen ?? DEFAULT_LISTEN;
  const { host, port } = flag('--listen', () => parseHostPort(listen));
  // A port of 0 is only known once listening: the agent reports it in heartbeats and announces.
  const derived = port === 0 ? [] : [formatHostPort(isWildcard(host) ? primaryAddress() : host, port)];
  const addresses = opts.advertise?.length ? opts.advertise : derived;
  let userToken: string | undefined;
  if (!opts.token) {
    const login = await dataDir.requireLogin();
    if (new URL(login.serverUrl).origin !== new URL(opts.server).origin) {
      throw new CliError(
        `logged in to ${login.serverUrl}, not ${opts.server}: log in there or pass --token`,
        EXIT.notEnrolled,
      );
    }
    if (role !== 'client') throw new CliError('only an enrollment token (--token) can make a seed server', EXIT.usage);
    // A machine enrolled with a token would outlive the token's revocation: machines take a password login or an enrollment token.
    if (login.kind === 'api-token') {
      throw new CliError(
        'an API token cannot enroll this machine: pass --token with an enrollment token, or "shoal login --user" first',
        EXIT.usage,
      );
    }
    userToken = login.accessToken;
  }
  const key = NodeKey.generate();
  // The server accepts letters, digits, ".", "_" and "-" in names; a host name may hold others.
  const name =
    opts.name ??
    (hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 100) ||
      'node');
  const body: Omit<EnrollRequest, 'token'> & { token?: string } = {
    ...(opts.token ? { token: opts.token } : {}),
    name,
    role,
    ...(opts.site ? { site: opts.site } : {}),
    addresses,
    publicKey: key.publicJwk(),
  };
  const answer = await callApi<EnrollResponse>(opts.server, '/api/nodes/enroll', { body, token: userToken });
  // The node sends its credential and proofs to this tracker for good, and a tracker can tell
  // it that it is revoked: only the server it enrolled with may be it.
  if (!sameOrigin(answer.trackerUrl, opts.server)) {
    throw new CliError(
      `the server names its tracker at ${JSON.stringify(answer.trackerUrl).slice(0, 200)}, not at ${new URL(opts.server).origin}: ` +
        'set SHOAL_PUBLIC_URL on the server to the URL agents reach it at, then enroll again with a new token',
      EXIT.usage,
    );
  }
  await dataDir.ensure();
  await writeFileAtomic(dataDir.path('node-key.pem'), key.toPem(), { mode: 0o600 });
  const tls = await generateTlsMaterial(`shoal-node-${answer.nodeId}`);
  await mkdir(dataDir.path('tls'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(dataDir.path('tls', 'key.pem'), tls.key, { mode: 0o600 });
  await writeFileAtomic(dataDir.path('tls', 'cert.pem'), tls.cert, { mode: 0o644 });
  const config: NodeConfig = {
    nodeId: answer.nodeId,
    serverUrl: opts.server,
    name,
    role,
    site: opts.site ?? null,
    listen,
    advertise: opts.advertise ?? [],
    trackerUrl: answer.trackerUrl,
    credential: answer.credential,
    credentialExpiresAt: answer.credentialExpiresAt,
    ...(opts.downloadDir ? { downloadDir: resolve(opts.downloadDir) } : {}),
  };
  await dataDir.saveNodeConfig(config);
  log.log(
    'info',
    `enrolled as ${role} node ${answer.nodeId} (${name}) with ${opts.server}; identity in ${dataDir.root}`,
  );
  return config;
}

/**
 * The flags the server would refuse, refused here first: before a key is generated or the
 * server asked, with the flag's name, and as a usage error (exit code 2).
 */
function checkFlags(opts: EnrollOptions): void {
  if (opts.name !== undefined && !NodeNameSchema.safeParse(opts.name).success)
    throw new CliError(`--name ${NODE_NAME_RULE}, not "${opts.name.slice(0, 120)}"`, EXIT.usage);
  if (opts.site !== undefined && !SiteSchema.safeParse(opts.site).success)
    throw new CliError(`--site ${SITE_RULE}, not "${opts.site.slice(0, 120)}"`, EXIT.usage);
  if ((opts.advertise?.length ?? 0) > LIMITS.maxListenAddresses)
    throw new CliError(`--advertise can be given at most ${LIMITS.maxListenAddresses} times`, EXIT.usage);
  for (const a of opts.advertise ?? [])
    if (!ListenAddressSchema.safeParse(a).success)
      throw new CliError(`--advertise must be host:port with a port of 1-65535, not "${a.slice(0, 120)}"`, EXIT.usage);
  try {
    new URL(opts.server);
  } catch {
    throw new CliError(`--server must be a URL such as https://shoal.example.com, not "${opts.server}"`, EXIT.usage);
  }
}

/** `parse()`, with its usage error naming the flag it came from. */
function flag<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof CliError) throw new CliError(`${name}: ${err.message}`, err.exitCode);
    throw err;
  }
}

function sameOrigin(url: unknown, server: string): boolean {
  try {
    return typeof url === 'string' && new URL(url).origin === new URL(server).origin;
  } catch {
    return false;
  }
}
