import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ManifestError, parseManifest, type Manifest } from '@shoal/contract';
import { originOf, type Logger } from '../../engine/index.js';
import { callApi, nodeCaller } from '../api-client.js';
import type { DataDir, NodeConfig } from '../data-dir.js';
import { CliError, EXIT } from '../exit-codes.js';
import { enroll } from './enroll.js';

/** Reads a manifest from a file, a URL, or the server by resource id; binds the ticket to this node when it can. */
export async function loadManifest(dataDir: DataDir, resource: string, log: Logger): Promise<Manifest> {
  let text: string;
  const isFile = await stat(resource).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile) {
    text = await readFile(resource, 'utf8');
  } else if (/^https?:\/\//i.test(resource)) {
    // A user's token goes only to the server that issued it: a URL of any other host gets
    // a plain request, and what it answers must still pass the manifest trust check.
    const login = await dataDir.userLogin();
    const origin = originOf(resource);
    const ownServer = login !== null && origin !== null && originOf(login.serverUrl) === origin;
    text = await callApi<string>(resource, '', { token: ownServer ? login.accessToken : undefined, raw: true });
  } else {
    const login = await dataDir.userLogin();
    const enrolled = await dataDir.nodeConfig();
    if (enrolled && (!login || Date.parse(login.expiresAt) < Date.now() + 30_000)) {
      // The user login lasts 15 minutes; the node credential (renewed by heartbeats) fetches
      // manifests on behalf of the user who enrolled this machine.
      text = await callApi<string>(enrolled.serverUrl, `/api/nodes/manifests/${encodeURIComponent(resource)}`, {
        node: await nodeCaller(dataDir, enrolled.credential),
        raw: true,
      });
    } else {
      const valid = await dataDir.requireLogin();
      const node = await ensureNode(dataDir, valid.serverUrl, log);
      const query = `?node=${encodeURIComponent(node.nodeId)}`;
      text = await callApi<string>(valid.serverUrl, `/api/resources/${encodeURIComponent(resource)}/manifest${query}`, {
        token: valid.accessToken,
        raw: true,
      });
    }
  }
  try {
    return parseManifest(text);
  } catch (err) {
    if (err instanceof ManifestError) throw new CliError(err.message, EXIT.notFound);
    throw err;
  }
}

/**
 * The server a manifest must come from: the one this node is enrolled with, or for a
 * machine not enrolled yet, the one the user logged in to (never one a manifest names).
 */
export async function trustedServer(dataDir: DataDir): Promise<string> {
  const enrolled = await dataDir.nodeConfig();
  if (enrolled) return enrolled.serverUrl;
  const login = await dataDir.userLogin();
  if (login) return login.serverUrl;
  throw new CliError(
    `no node identity or login in ${dataDir.root}: run "shoal login --server URL" (or "shoal enroll") first`,
    EXIT.notEnrolled,
  );
}

/** Origins a manifest of this node may name: its server and tracker, plus any set by hand in node.json. */
export function trustedOrigins(config: NodeConfig): string[] {
  return [config.serverUrl, config.trackerUrl, ...(config.trustedOrigins ?? [])];
}

/** This data dir's node; a machine not yet enrolled enrolls itself as a client with the user's login. */
export async function ensureNode(dataDir: DataDir, serverUrl: string, log: Logger) {
  const existing = await dataDir.nodeConfig();
  if (existing) return existing;
  const login = await dataDir.userLogin();
  if (!login)
    throw new CliError(
      `no node identity in ${dataDir.root}: run "shoal enroll" or "shoal login" first`,
      EXIT.notEnrolled,
    );
  log.log('info', `not enrolled yet: enrolling this machine as a client of ${serverUrl} as ${login.username}`);
  return enroll(dataDir, { server: serverUrl, role: 'client', listen: '0.0.0.0:0' }, log);
}

export function outputDir(dir: string | undefined): string {
  return resolve(dir ?? '.');
}
