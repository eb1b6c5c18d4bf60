import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The SQLite file in the data dir and the files SQLite keeps beside it in WAL mode. */
export const SQLITE_FILE = 'shoal.sqlite';
const SQLITE_COMPANIONS = ['-wal', '-shm', '-journal'];

export interface Tightened {
  path: string;
  from: number;
  to: number;
}

/**
 * Makes the data dir private to the server's user: the SQLite database holds the
 * user-token HMAC key and the signing keys, the built-in seed dir its node key, so any
 * other local user able to read them could mint an admin token. The dir is created 0700
 * (an existing one is tightened), the database is created 0600 before SQLite opens it
 * (SQLite gives its -wal and -shm files the database file's mode), and what an earlier
 * version left readable is tightened. Returns what was tightened, for the log.
 */
export function secureDataDir(dataDir: string, opts: { sqlite: boolean }): Tightened[] {
  const tightened: Tightened[] = [];
  const restrict = (path: string, mode: number) => {
    const current = statSync(path, { throwIfNoEntry: false });
    if (!current) return;
    const bits = current.mode & 0o777;
    if ((bits & ~mode) === 0) return;
    chmodSync(path, bits & mode);
    tightened.push({ path, from: bits, to: bits & mode });
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  restrict(dataDir, 0o700);
  for (const dir of ['builtin-seed', join('builtin-seed', 'state'), join('builtin-seed', 'uploads')]) {
    restrict(join(dataDir, dir), 0o700);
  }
  restrict(join(dataDir, 'builtin-seed', 'identity.json'), 0o600);
  if (opts.sqlite) {
    const db = join(dataDir, SQLITE_FILE);
    // An empty file is a valid empty SQLite database; creating it here fixes its mode.
    closeSync(openSync(db, 'a', 0o600));
    restrict(db, 0o600);
  }
  for (const suffix of SQLITE_COMPANIONS) restrict(join(dataDir, `${SQLITE_FILE}${suffix}`), 0o600);
  return tightened;
}
