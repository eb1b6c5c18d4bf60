import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  choosePieceSize,
  computeContentId,
  isPowerOfTwo,
  LIMITS,
  unsafePathReason,
  type ResourceDetail,
  type UserSummary,
} from '@shoal/contract';
import {
  hashContent,
  hashWithFingerprints,
  type FileFingerprint,
  type Logger,
  type TransferSpec,
} from '../../engine/index.js';
import { callApi } from '../api-client.js';
import type { DataDir, UserLogin } from '../data-dir.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatBytes, LiveBlock, plural } from '../terminal.js';

/** Lists a file, or a directory's regular files (sorted, recursive), as resource paths under the item's own name. */
async function listFiles(path: string): Promise<{ root: string; files: { path: string; size: number }[] }> {
  const full = resolve(path);
  const top = basename(full);
  const st = await lstat(full).catch(() => null);
  if (!st) throw new CliError(`no such file or directory: ${path}`, EXIT.notFound);
  const files: { path: string; size: number }[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const relPath = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(join(dir, e.name), relPath);
      else if (e.isFile()) files.push({ path: relPath, size: (await lstat(join(dir, e.name))).size });
      // Symlinks and special files are skipped on purpose: a resource is plain bytes.
    }
  };
  if (st.isDirectory()) await walk(full, top);
  else if (st.isFile()) files.push({ path: top, size: st.size });
  else throw new CliError(`${path} is neither a file nor a directory`, EXIT.usage);
  if (files.length === 0) throw new CliError(`${path} holds no files`, EXIT.usage);
  if (files.length > LIMITS.maxFiles)
    throw new CliError(`${path} holds more than ${LIMITS.maxFiles} files`, EXIT.usage);
  for (const f of files) {
    const reason = unsafePathReason(f.path);
    if (reason) throw new CliError(`cannot publish "${f.path}": path ${reason}`, EXIT.usage);
  }
  return { root: dirname(full), files };
}

/**
 * Publishing is an admin's: asked of the server (the stored login may predate a role
 * change) before a byte is hashed, so a member learns it at once, not after hashing
 * everything.
 */
async function requireAdmin(login: UserLogin): Promise<void> {
  const me = await callApi<UserSummary>(login.serverUrl, '/api/auth/me', { token: login.accessToken });
  if (me.role !== 'admin') {
    throw new CliError(
      `publishing needs the admin role, and ${me.username} is a ${me.role}: ask an admin to publish it ` +
        '(in the portal, or with "shoal publish" logged in as an admin)',
      EXIT.unauthorized,
    );
  }
}

export async function publish(
  dataDir: DataDir,
  path: string,
  opts: { name?: string; description?: string; pieceSize?: string; tags?: string[]; terminal?: boolean },
  log: Logger,
): Promise<{ spec: TransferSpec; root: string; detail: ResourceDetail; hashedFiles: Record<string, FileFingerprint> }> {
  const loginInfo = await dataDir.requireLogin();
  const node = await dataDir.requireNode();
  await requireAdmin(loginInfo);
  const { root, files } = await listFiles(path);
  const totalSize = files.reduce((a, f) => a + f.size, 0);
  const pieceSize = opts.pieceSize ? Number(opts.pieceSize) : choosePieceSize(totalSize);
  if (!isPowerOfTwo(pieceSize) || pieceSize < LIMITS.minPieceSize || pieceSize > LIMITS.maxPieceSize) {
    throw new CliError(
      `--piece-size must be a power of two between ${LIMITS.minPieceSize} and ${LIMITS.maxPieceSize}`,
      EXIT.usage,
    );
  }
  log.log('info', `hashing ${files.length} file(s), ${totalSize} bytes, in pieces of ${pieceSize}`);
  let lastReport = 0;
  // On a terminal (where info logs are off) a line redrawn in place: hashing a large
  // folder takes minutes, which must not look like a hang.
  const screen = opts.terminal ? new LiveBlock() : null;
  const { result: pieceHashes, unchanged: hashedFiles } = await hashWithFingerprints(root, files, () =>
    hashContent(root, files, pieceSize, (done, count) => {
      if (Date.now() - lastReport > 1000 || done === count) {
        lastReport = Date.now();
        log.log('info', `hashed ${done}/${count} pieces`);
        screen?.draw([
          `hashing ${plural(files.length, 'file')}, ${formatBytes(totalSize)}: ${Math.floor((100 * done) / Math.max(1, count))}%`,
        ]);
      }
    }),
  );
  screen?.finish();
  const contentId = computeContentId({ pieceSize, files, pieceHashes });
  const name = opts.name ?? basename(resolve(path));
  const detail = await callApi<ResourceDetail>(loginInfo.serverUrl, '/api/admin/resources', {
    token: loginInfo.accessToken,
    body: {
      name,
      ...(opts.description ? { description: opts.description } : {}),
      ...(opts.tags?.length ? { tags: opts.tags } : {}),
      totalSize,
      pieceSize,
      files,
      pieceHashes,
    },
  });
  if (detail.contentId && detail.contentId !== contentId) {
    throw new CliError(`server computed content id ${detail.contentId}, we computed ${contentId}`, EXIT.failure);
  }
  const spec: TransferSpec = {
    resourceId: detail.id,
    contentId,
    name: detail.name,
    totalSize,
    pieceSize,
    files,
    pieceHashes,
    trackerUrl: node.trackerUrl,
    ticket: '',
    peers: [],
  };
  await dataDir.saveHolding(
    { resourceId: detail.id, name: detail.name, root, complete: true, include: [], hashedFiles },
    spec,
  );
  return { spec, root, detail, hashedFiles };
}
