import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../util/atomic-file.js';
import type { Logger } from '../../util/logger.js';
import { CliError, EXIT } from '../exit-codes.js';
import { USER_NAME } from './service-user.js';

export interface ServiceOptions {
  user: string;
  dataDir: string;
  unitDir: string;
  name: string;
  /** Extra `shoal serve` flags (limits). */
  serveArgs: string[];
}

/** This agent's bin/shoal.js, found from wherever this code runs (dist/, the start-up bundle, or sources). */
function shoalBin(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const bin = join(dir, 'bin', 'shoal.js');
    if (existsSync(bin) && existsSync(join(dir, 'package.json'))) return resolve(bin);
    if (dirname(dir) === dir) throw new Error('cannot find bin/shoal.js of the agent');
  }
}

/** What runs this agent: the single-file executable itself, or Node with a checkout's bin/shoal.js. */
function shoalCommand(nodePath: string): string[] {
  return isSea() ? [process.execPath] : [nodePath, shoalBin()];
}

/**
 * Unit-file quoting: systemd expands `%` specifiers everywhere, `$` variables in command
 * lines only, and unquotes C-style inside double quotes. Every value written goes through
 * here, so a data dir with spaces, quotes, `%` or `$` lands in the unit as the same path.
 */
function unitQuoted(value: string, { command = false } = {}): string {
  const escapes: Record<string, string> = { '\\': '\\\\', '"': '\\"', '%': '%%', $: command ? '$$' : '$' };
  return `"${value.replace(/[\\"%$]/g, (c) => escapes[c]!)}"`;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The systemd unit that runs `shoal serve` for one data dir, restarting it if it dies. */
export function systemdUnit(o: ServiceOptions, nodePath = process.execPath): string {
  if (!USER_NAME.test(o.user)) throw new CliError(`--user ${JSON.stringify(o.user)} is not a user name`, EXIT.usage);
  const dataDir = resolve(o.dataDir);
  for (const value of [dataDir, ...o.serveArgs]) {
    if (CONTROL.test(value))
      throw new CliError(`${JSON.stringify(value)}: control characters cannot go into a unit`, EXIT.usage);
  }
  const exec = [...shoalCommand(nodePath), '--data-dir', dataDir, 'serve', '--json', ...o.serveArgs]
    .map((word) => unitQuoted(word, { command: true }))
    .join(' ');
  return `# Written by "shoal service install". Remove with "shoal service uninstall".
[Unit]
Description=Shoal agent (seed server) for ${dataDir.replace(/%/g, '%%')}
Documentation=https://github.com/shoal/shoal/blob/main/agent/README.md
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=${o.user}
Environment=${unitQuoted(`SHOAL_HOME=${dataDir}`)}
ExecStart=${exec}
# SIGTERM makes serve tell the tracker it stopped and close connections cleanly.
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=5
# 4: the server refused this node (revoked by an admin); restarting cannot change that.
RestartPreventExitStatus=4
LimitNOFILE=65536
# Least privilege: the agent needs its data dir and the network, nothing else.
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths=${unitQuoted(dataDir)}
PrivateTmp=true

[Install]
WantedBy=multi-user.target
`;
}

export async function installService(o: ServiceOptions, log: Logger): Promise<string> {
  if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(o.name))
    throw new CliError('--name must be letters, digits, "_", ".", "@" or "-"', EXIT.usage);
  const file = join(o.unitDir, `${o.name}.service`);
  await mkdir(o.unitDir, { recursive: true });
  await writeFileAtomic(file, systemdUnit(o), { mode: 0o644 });
  log.log('info', `wrote ${file}`);
  return file;
}

export async function uninstallService(o: Pick<ServiceOptions, 'unitDir' | 'name'>, log: Logger): Promise<string> {
  const file = join(o.unitDir, `${o.name}.service`);
  await rm(file, { force: true });
  log.log('info', `removed ${file}`);
  return file;
}
