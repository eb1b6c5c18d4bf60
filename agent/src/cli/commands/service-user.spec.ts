import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../exit-codes.js';
import { accessProblem, lookupAccount, serviceAccount, type Account } from './service-user.js';

describe('the user `shoal service install` runs the service as', () => {
  /** A data dir as `shoal enroll` leaves it: 0700, the key 0600, a state dir. */
  function dataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-svc-user-'));
    chmodSync(dir, 0o700);
    writeFileSync(join(dir, 'node.json'), '{}', { mode: 0o600 });
    writeFileSync(join(dir, 'node-key.pem'), 'key', { mode: 0o600 });
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    writeFileSync(join(dir, 'state', 'holdings.json'), '[]', { mode: 0o600 });
    return dir;
  }
  const owner = (dir: string): Account => ({ name: userInfo().username, uid: statSync(dir).uid, gids: [] });
  /** Someone who is neither the owner nor in the owner's group (nor root). */
  const stranger = (dir: string): Account => ({ name: 'stranger', uid: statSync(dir).uid + 4242, gids: [4242] });

  it('finds real users through the name service, and says null for one that does not exist', () => {
    expect(lookupAccount('root')).toMatchObject({ name: 'root', uid: 0, gids: expect.arrayContaining([0]) });
    expect(lookupAccount('no-such-user-shoal')).toBeNull();
  });

  it("accepts the data dir's owner and refuses anyone else, naming what to change", () => {
    const dir = dataDir();
    expect(accessProblem(dir, owner(dir))).toBeNull();
    expect(accessProblem(dir, stranger(dir))).toBe(
      `user stranger cannot read and write the data dir ${dir} (chown -R stranger: ${dir}, or install with --user set to its owner)`,
    );
  });

  it('refuses a user who owns the dir but not a file inside it, as after `sudo shoal enroll`', () => {
    const dir = dataDir();
    const other = { ...stranger(dir), name: 'other' };
    // Group-writable dir for the other user, but the key stays 0600 and not theirs.
    chmodSync(dir, 0o770);
    chmodSync(join(dir, 'state'), 0o770);
    const inGroup = { ...other, gids: [statSync(dir).gid] };
    expect(accessProblem(dir, inGroup)).toMatch(
      /^user other cannot read and write .*\/(node\.json|node-key\.pem|state\/holdings\.json) in the data dir /,
    );
  });

  it('refuses a user who cannot pass a directory above the data dir', () => {
    const parent = mkdtempSync(join(tmpdir(), 'shoal-svc-parent-'));
    const dir = join(parent, 'data');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    chmodSync(parent, 0o700);
    expect(accessProblem(dir, stranger(parent))).toBe(
      `user stranger cannot reach ${dir}: ${parent} does not let it in (chown -R stranger: ${dir}, or install with --user set to its owner)`,
    );
  });

  it('defaults to the "shoal" user when the machine has it, and never to root', () => {
    const dir = dataDir();
    const asked: string[] = [];
    const lookup = (name: string): Account | null => {
      asked.push(name);
      return name === 'shoal' ? owner(dir) : null;
    };
    expect(serviceAccount(undefined, dir, lookup).uid).toBe(statSync(dir).uid);
    expect(asked).toEqual(['shoal']);
    expect(() => serviceAccount(undefined, dir, () => null)).toThrow(
      expect.objectContaining({
        exitCode: EXIT.usage,
        message: expect.stringMatching(/^--user is needed: this machine has no "shoal" user/),
      }),
    );
  });

  it('refuses, with exit code 2, a --user that does not exist, is not a name, or cannot use the data dir', () => {
    const dir = dataDir();
    expect(() => serviceAccount('no-such-user-shoal', dir)).toThrow(
      expect.objectContaining({
        exitCode: EXIT.usage,
        message: expect.stringMatching(/^--user no-such-user-shoal: there is no such user on this machine/),
      }),
    );
    expect(() => serviceAccount('-x', dir)).toThrow(
      expect.objectContaining({ exitCode: EXIT.usage, message: '--user "-x" is not a user name' }),
    );
    expect(() => serviceAccount('stranger', dir, () => stranger(dir))).toThrow(
      expect.objectContaining({
        exitCode: EXIT.usage,
        message: expect.stringContaining('user stranger cannot read and write the data dir'),
      }),
    );
  });
});
