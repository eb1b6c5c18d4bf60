import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NodeRole } from '@shoal/contract';
import type { FileFingerprint, TransferSpec } from '../engine/index.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { CliError, EXIT } from './exit-codes.js';

/** The data directory: --data-dir, else $SHOAL_HOME, else the user's data dir. */
export function resolveDataDir(option: string | undefined): string {
  if (option) return option;
  if (process.env.SHOAL_HOME) return process.env.SHOAL_HOME;
  if (process.platform === 'win32' && process.env.LOCALAPPDATA) return join(process.env.LOCALAPPDATA, 'shoal');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'shoal');
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'shoal');
}

/** What `shoal enroll` stores about this node. */
export interface NodeConfig {
  nodeId: string;
  serverUrl: string;
  name: string;
  role: NodeRole;
  site: string | null;
  /** host:port the agent listens on for peers. */
  listen: string;
  /** Addresses announced to others; empty means "derive from listen". */
  advertise: string[];
  trackerUrl: string;
  credential: string;
  credentialExpiresAt: string;
  /**
   * Origins besides serverUrl and trackerUrl that manifests may name (e.g. the server's
   * other public name); set by hand in node.json, never from a manifest.
   */
  trustedOrigins?: string[];
  /**
   * Absolute folder that download requests sent from the portal go into (`--download-dir`);
   * without one this machine refuses them.
   */
  downloadDir?: string;
}

export interface UserLogin {
  serverUrl: string;
  username: string;
  /** A session's access token, or an API token (`kind`). */
  accessToken: string;
  expiresAt: string;
  /** Absent in logins stored before API tokens: a session. */
  kind?: 'session' | 'api-token';
}

/** A resource this node holds or is fetching, so `serve` can provide (or resume) it after a restart. */
export interface Holding {
  resourceId: string;
  name: string;
  /** Directory under which each file of the resource lives at <root>/<path>. */
  root: string;
  complete: boolean;
  include: string[];
  /** Files whose whole content publish hashed, by resource path, with their fingerprint then. */
  hashedFiles?: Record<string, FileFingerprint>;
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Written whole and synced (util/atomic-file.ts), so neither a crash nor a power cut leaves half a JSON file. */
function writeJson(path: string, value: unknown, mode = 0o600): Promise<void> {
  return writeJsonAtomic(path, value, { mode, indent: 2 });
}

export class DataDir {
  constructor(readonly root: string) {}

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  async ensure(): Promise<void> {
    await mkdir(this.path('resources'), { recursive: true, mode: 0o700 });
    await mkdir(this.path('state'), { recursive: true, mode: 0o700 });
  }

  nodeConfig(): Promise<NodeConfig | null> {
    return readJson<NodeConfig>(this.path('node.json'));
  }

  async requireNode(): Promise<NodeConfig> {
    const node = await this.nodeConfig();
    if (!node) throw new CliError(`no node identity in ${this.root}: run "shoal enroll" first`, EXIT.notEnrolled);
    return node;
  }

  saveNodeConfig(config: NodeConfig): Promise<void> {
    return writeJson(this.path('node.json'), config);
  }

  userLogin(): Promise<UserLogin | null> {
    return readJson<UserLogin>(this.path('user.json'));
  }

  async requireLogin(): Promise<UserLogin> {
    const login = await this.userLogin();
    if (!login) throw new CliError(`not logged in (data dir ${this.root}): run "shoal login" first`, EXIT.notEnrolled);
    if (Date.parse(login.expiresAt) < Date.now()) {
      const again =
        login.kind === 'api-token'
          ? 'make a new API token and run "shoal login --token-stdin" again'
          : 'run "shoal login" again';
      throw new CliError(`the login of ${login.username} expired: ${again}`, EXIT.notEnrolled);
    }
    return login;
  }

  saveUserLogin(login: UserLogin): Promise<void> {
    return writeJson(this.path('user.json'), login);
  }

  async holdings(): Promise<Holding[]> {
    return (await readJson<Holding[]>(this.path('holdings.json'))) ?? [];
  }

  async saveHolding(holding: Holding, spec: TransferSpec): Promise<void> {
    await this.ensure();
    // The ticket is kept: a resumed download needs it; a complete holding never shows it.
    await writeJson(this.path('resources', `${encodeURIComponent(holding.resourceId)}.json`), spec);
    const all = (await this.holdings()).filter((h) => h.resourceId !== holding.resourceId);
    all.push(holding);
    await writeJson(this.path('holdings.json'), all);
  }

  /** Forgets a holding (e.g. a cancelled preheat); its files stay where they are. */
  async removeHolding(resourceId: string): Promise<void> {
    const all = (await this.holdings()).filter((h) => h.resourceId !== resourceId);
    await writeJson(this.path('holdings.json'), all);
  }

  async spec(resourceId: string): Promise<TransferSpec | null> {
    return readJson<TransferSpec>(this.path('resources', `${encodeURIComponent(resourceId)}.json`));
  }

  status(): Promise<AgentStatus | null> {
    return readJson<AgentStatus>(this.path('status.json'));
  }

  saveStatus(status: AgentStatus): Promise<void> {
    // Rewritten every second and worthless after a power cut: whole for readers, not synced.
    return writeJsonAtomic(this.path('status.json'), status, { mode: 0o644, indent: 2, sync: false });
  }
}

/** Written every second by a running agent (get, publish, serve); read by `shoal status`. */
export interface AgentStatus {
  pid: number;
  command: string;
  updatedAt: string;
  addresses: string[];
  transfers: {
    resourceId: string;
    name: string;
    complete: boolean;
    bytesWanted: number;
    bytesLeft: number;
    downloadRate: number;
    uploadRate: number;
    downloaded: number;
    uploaded: number;
    downloadedFromPeers: number;
    downloadedFromSeeds: number;
    peers: { nodeId: string; name: string; role: string; address: string; downloaded: number; uploaded: number }[];
  }[];
}
