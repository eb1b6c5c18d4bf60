import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import type { AuthenticatedUser } from '../common/principals.js';
import { openTestApp } from '../../test/support/test-app.js';
import { UsersService } from '../users/users.service.js';
import { ApiToken } from './api-token.entity.js';
import { ApiTokensModule } from './api-tokens.module.js';
import { ApiTokensService, LAST_USED_RESOLUTION_MS, scopeCovers } from './api-tokens.service.js';

describe('scopeCovers', () => {
  it('lets each scope include the ones below it, and nothing above', () => {
    expect(scopeCovers(['admin'], 'publish')).toBe(true);
    expect(scopeCovers(['admin'], 'catalog:read')).toBe(true);
    expect(scopeCovers(['publish'], 'catalog:read')).toBe(true);
    expect(scopeCovers(['publish'], 'admin')).toBe(false);
    expect(scopeCovers(['catalog:read'], 'publish')).toBe(false);
    expect(scopeCovers([], 'catalog:read')).toBe(false);
  });
});

describe('ApiTokensService', () => {
  let app: TestingModule;
  let tokens: ApiTokensService;
  let users: UsersService;
  let db: DataSource;
  let admin: AuthenticatedUser;

  beforeAll(async () => {
    app = await openTestApp(ApiTokensModule);
    tokens = app.get(ApiTokensService);
    users = app.get(UsersService);
    db = app.get(DataSource);
    const u = await users.create('token-owner', 'owner-password-1', 'admin');
    admin = { id: u.id, username: u.username, role: u.role };
  });
  afterAll(async () => app?.close());

  const rowOf = (id: string) => db.getRepository(ApiToken).findOneByOrFail({ id });
  const setLastUsed = (id: string, at: Date | null) => db.getRepository(ApiToken).update({ id }, { lastUsedAt: at });

  it('writes the last use at most once per LAST_USED_RESOLUTION_MS', async () => {
    const t = await tokens.create(admin, { name: 'busy', scopes: ['catalog:read'], expiresInDays: 1 });
    await tokens.authenticate(t.token);
    const first = (await rowOf(t.id)).lastUsedAt;
    expect(first).not.toBeNull();

    // Used again within the resolution: the row keeps the earlier time.
    const recent = new Date(Date.now() - LAST_USED_RESOLUTION_MS / 2);
    await setLastUsed(t.id, recent);
    await tokens.authenticate(t.token);
    expect((await rowOf(t.id)).lastUsedAt).toEqual(recent);

    // Past it, the use is written.
    const old = new Date(Date.now() - 2 * LAST_USED_RESOLUTION_MS);
    await setLastUsed(t.id, old);
    await tokens.authenticate(t.token);
    expect((await rowOf(t.id)).lastUsedAt!.getTime()).toBeGreaterThan(old.getTime() + LAST_USED_RESOLUTION_MS);
  });

  it("cuts a token's scopes down to what its owner's role allows now", async () => {
    const u = await users.create('shrinking', 'shrinking-password-1', 'admin');
    const owner = { id: u.id, username: u.username, role: u.role };
    const t = await tokens.create(owner, {
      name: 'all',
      scopes: ['catalog:read', 'admin', 'publish'],
      expiresInDays: 1,
    });
    // Kept in one order whatever order they were asked in.
    expect(t.scopes).toEqual(['admin', 'publish', 'catalog:read']);
    expect((await tokens.authenticate(t.token)).apiToken!.scopes).toEqual(['admin', 'publish', 'catalog:read']);
    await users.update(u.id, { role: 'member' }, admin.id);
    const after = await tokens.authenticate(t.token);
    expect([after.role, after.apiToken!.scopes]).toEqual(['member', ['catalog:read']]);
  });

  it("does not let one user see or revoke another's token", async () => {
    const u = await users.create('neighbour', 'neighbour-password-1', 'member');
    const neighbour = { id: u.id, username: u.username, role: u.role };
    const t = await tokens.create(admin, { name: 'private', scopes: ['catalog:read'], expiresInDays: 1 });
    expect((await tokens.list(neighbour.id)).map((x) => x.id)).not.toContain(t.id);
    await expect(tokens.revoke(neighbour, t.id)).rejects.toMatchObject({ status: 404 });
    await expect(tokens.get(neighbour.id, t.id)).rejects.toMatchObject({ status: 404 });
    expect((await tokens.authenticate(t.token)).id).toBe(admin.id);
  });
});
