import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDir } from './data-dir.js';
import { EXIT } from './exit-codes.js';

describe('DataDir.requireLogin', () => {
  let root: string;
  let dir: DataDir;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'shoal-data-dir-'));
    dir = new DataDir(root);
    await dir.ensure();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const login = (kind: 'session' | 'api-token' | undefined, expiresAt: string) =>
    dir.saveUserLogin({ serverUrl: 'https://shoal.test', username: 'ci', accessToken: 'x', expiresAt, kind });

  it('tells an expired API token login to make a new token, and a session to log in again', async () => {
    await login('api-token', '2001-01-01T00:00:00.000Z');
    await expect(dir.requireLogin()).rejects.toMatchObject({
      message: 'the login of ci expired: make a new API token and run "shoal login --token-stdin" again',
      exitCode: EXIT.notEnrolled,
    });
    // Logins stored before API tokens have no kind: sessions.
    await login(undefined, '2001-01-01T00:00:00.000Z');
    await expect(dir.requireLogin()).rejects.toMatchObject({
      message: 'the login of ci expired: run "shoal login" again',
    });
  });

  it('keeps a token login for as long as the token lives', async () => {
    await login('api-token', new Date(Date.now() + 30 * 86_400_000).toISOString());
    expect((await dir.requireLogin()).kind).toBe('api-token');
  });
});
