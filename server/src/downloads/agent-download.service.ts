import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentDownload } from '@shoal/contract';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

const AGENT_DOWNLOAD_PATH = '/downloads/shoal';

interface Packaged {
  path: string;
  sizeBytes: number;
  sha256: string;
  /** What the checksum was computed for: a file replaced in place is hashed again. */
  mtimeMs: number;
}

/**
 * The agent executable of the release this server runs from (`npm run package` puts it in
 * dist/release/; SHOAL_AGENT_DIR points elsewhere). Employees fetch the matching agent from
 * their own server instead of from a public registry. Its SHA-256 is computed here, from the
 * bytes handed out, rather than read from the file beside it.
 */
@Injectable()
export class AgentDownloadService {
  private packaged: Promise<Packaged | null> | null = null;
  private checkedFor: number | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async describe(): Promise<AgentDownload> {
    const p = await this.current();
    return {
      available: p !== null,
      url: AGENT_DOWNLOAD_PATH,
      checksumUrl: `${AGENT_DOWNLOAD_PATH}.sha256`,
      sha256: p?.sha256 ?? null,
      sizeBytes: p?.sizeBytes ?? null,
    };
  }

  /** The executable to stream, or null when this server was started without one. */
  async open(): Promise<{ stream: ReadStream; sizeBytes: number; sha256: string } | null> {
    const p = await this.current();
    return p ? { stream: createReadStream(p.path), sizeBytes: p.sizeBytes, sha256: p.sha256 } : null;
  }

  private async current(): Promise<Packaged | null> {
    const path = join(this.config.agentDir, 'shoal');
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return null;
    if (!this.packaged || this.checkedFor !== info.mtimeMs) {
      this.checkedFor = info.mtimeMs;
      this.packaged = hashFile(path).then((sha256) => ({ path, sizeBytes: info.size, sha256, mtimeMs: info.mtimeMs }));
      this.packaged.catch(() => (this.packaged = null));
    }
    return this.packaged;
  }
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
