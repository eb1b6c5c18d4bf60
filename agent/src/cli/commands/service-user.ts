import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError, EXIT } from '../exit-codes.js';

/** The account a service runs as, as the system's name service knows it. */
export interface Account {
  name: string;
  uid: number;
  /** Primary and supplementary groups. */
  gids: number[];
}

/** The user a service runs as when --user is not given, if the machine has it (the .deb makes it). */
export const DEFAULT_SERVICE_USER = 'shoal';

/** A system account name (useradd's rule): no spaces, newlines or quotes to smuggle directives in, no leading "-". */
export const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}\$?$/;

/** Entries of the data dir checked at most: a data dir holds a few files per resource, not millions. */
const MAX_CHECKED_ENTRIES = 10_000;

/**
 * Looks a user up through NSS (`getent`, so LDAP and sssd accounts count as the service
 * manager will see them) and its groups with `id -G`. Null when there is no such user.
 */
export function lookupAccount(name: string): Account | null {
  const passwd = spawnSync('getent', ['passwd', name], { encoding: 'utf8', timeout: 5000 });
  if (passwd.error) throw new CliError(`cannot look up user ${name}: ${passwd.error.message}`, EXIT.failure);
  if (passwd.status !== 0) return null;
  const fields = passwd.stdout.split('\n')[0]!.split(':');
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
  const groups = spawnSync('id', ['-G', name], { encoding: 'utf8', timeout: 5000 });
  const extra = groups.status === 0 ? groups.stdout.trim().split(/\s+/).map(Number).filter(Number.isInteger) : [];
  return { name, uid, gids: [...new Set([gid, ...extra])] };
}

/** Whether the account has every permission in `want` (bits of rwx as 4/2/1) on a file, by its mode. */
function allowed(st: Stats, who: Account, want: number): boolean {
  if (who.uid === 0) return true;
  const bits = st.uid === who.uid ? (st.mode >> 6) & 7 : who.gids.includes(st.gid) ? (st.mode >> 3) & 7 : st.mode & 7;
  return (bits & want) === want;
}

/**
 * What stops the account from running `shoal serve` on this data dir, or null: every
 * directory above it must let it pass, the data dir and the directories in it must let it
 * list, create and remove files, and every file in it must be readable and writable by it
 * (the key, the credential it renews, the holdings it rewrites). The usual cause is a data
 * dir made by `sudo shoal enroll` for a service that runs as another user.
 */
export function accessProblem(dataDir: string, who: Account): string | null {
  const root = resolve(dataDir);
  const fix = `(chown -R ${who.name}: ${root}, or install with --user set to its owner)`;
  for (let dir = dirname(root); ; dir = dirname(dir)) {
    if (!allowed(lstatSync(dir), who, 1))
      return `user ${who.name} cannot reach ${root}: ${dir} does not let it in ${fix}`;
    if (dirname(dir) === dir) break;
  }
  const queue = [root];
  let checked = 0;
  while (queue.length) {
    const path = queue.shift()!;
    const st = lstatSync(path);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) {
      if (!allowed(st, who, 7)) return `user ${who.name} cannot read and write the data dir ${path} ${fix}`;
      for (const name of readdirSync(path)) {
        if (++checked > MAX_CHECKED_ENTRIES) return null;
        queue.push(join(path, name));
      }
    } else if (!allowed(st, who, 6)) {
      return `user ${who.name} cannot read and write ${path} in the data dir ${fix}`;
    }
  }
  return null;
}

/**
 * The account the service runs as: the one named (it must exist), else the dedicated
 * `shoal` user if the machine has one. Never root by default: a seed server faces the
 * network, and nothing it does needs root.
 */
export function serviceAccount(named: string | undefined, dataDir: string, lookup = lookupAccount): Account {
  if (named !== undefined && !USER_NAME.test(named))
    throw new CliError(`--user ${JSON.stringify(named)} is not a user name`, EXIT.usage);
  const name = named ?? DEFAULT_SERVICE_USER;
  const account = lookup(name);
  if (!account) {
    throw new CliError(
      named
        ? `--user ${named}: there is no such user on this machine; create it (useradd --system --home-dir ${resolve(dataDir)} --shell /usr/sbin/nologin ${named}) or name an existing one`
        : `--user is needed: this machine has no "${DEFAULT_SERVICE_USER}" user to run the service as; create it (useradd --system --home-dir ${resolve(dataDir)} --shell /usr/sbin/nologin ${DEFAULT_SERVICE_USER}) or name an existing user`,
      EXIT.usage,
    );
  }
  const problem = accessProblem(dataDir, account);
  if (problem) throw new CliError(problem, EXIT.usage);
  return account;
}
