import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NodeRole } from '@shoal/contract';
import type { FileFingerprint, TransferSpec } from '../engine/index.js';
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
  accessToken: string;
  expiresAt: string;
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

/** Writes via a temp file and rename, so a crash never leaves half a JSON file. */
async function writeJson(path: string, value: unknown, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2), { mode });
  await rename(tmp, path);
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
      throw new CliError(`the login of ${login.username} expired: run "shoal login" again`, EXIT.notEnrolled);
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
    return writeJson(this.path('status.json'), status, 0o644);
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
