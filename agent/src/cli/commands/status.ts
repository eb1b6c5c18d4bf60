import type { DataDir } from '../data-dir.js';
import { formatBytes } from '../terminal.js';

function alive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What this node is, what it holds, and (when an agent runs) what it is moving and with whom. */
export async function status(dataDir: DataDir, json: boolean): Promise<number> {
  const node = await dataDir.nodeConfig();
  const login = await dataDir.userLogin();
  const holdings = await dataDir.holdings();
  const live = await dataDir.status();
  const running = live && alive(live.pid) ? live : null;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({
        dataDir: dataDir.root,
        node: node && {
          nodeId: node.nodeId,
          name: node.name,
          role: node.role,
          serverUrl: node.serverUrl,
          credentialExpiresAt: node.credentialExpiresAt,
        },
        user: login && { username: login.username, serverUrl: login.serverUrl, expiresAt: login.expiresAt },
        holdings,
        running,
      })}\n`,
    );
    return 0;
  }
  const out: string[] = [`data dir: ${dataDir.root}`];
  out.push(
    node ? `node: ${node.name} (${node.role}, ${node.nodeId}) enrolled with ${node.serverUrl}` : 'node: not enrolled',
  );
  if (login) out.push(`user: ${login.username} on ${login.serverUrl} (token until ${login.expiresAt})`);
  out.push(
    running
      ? `agent: running (${running.command}, pid ${running.pid}) on ${running.addresses.join(', ')}`
      : 'agent: not running',
  );
  out.push(`holdings: ${holdings.length}`);
  for (const h of holdings) {
    const t = running?.transfers.find((x) => x.resourceId === h.resourceId);
    const state = t
      ? t.complete
        ? 'complete'
        : `downloading ${formatBytes(t.bytesWanted - t.bytesLeft)} / ${formatBytes(t.bytesWanted)}`
      : h.complete
        ? 'complete'
        : 'incomplete';
    out.push(`  ${h.name} (${h.resourceId}) ${state} at ${h.root}`);
    if (t) {
      out.push(`    ↓ ${formatBytes(t.downloadRate)}/s ↑ ${formatBytes(t.uploadRate)}/s, ${t.peers.length} peers`);
      for (const p of t.peers) {
        out.push(
          `    - ${p.name} (${p.role}) ${p.address}: got ${formatBytes(p.downloaded)}, sent ${formatBytes(p.uploaded)}`,
        );
      }
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
