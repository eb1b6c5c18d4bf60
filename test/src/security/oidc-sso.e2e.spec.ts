/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider, started here as the
 * company's IdP with alice in shoal-admins and bob in engineering): the portal's "Sign in
 * with ..." clicked through in Chromium, the IdP's own login and consent pages included;
 * roles from groups at every sign-in; the CLI's device flow approved in the browser.
 */
import type { Browser, Page } from 'playwright-core';
import { Agent } from '../harness/agents.js';
import { Api, type ApiResponse } from '../harness/api-client.js';
import { launchPortalBrowser, screenshots, signIn } from '../harness/portal-browser.js';
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, startIdp, type RunningIdp } from '../harness/oidc-provider.js';
import { ADMIN_PASSWORD, freePort, startServer, type RunningServer } from '../harness/server.js';
import { until } from '../harness/wait.js';

const shot = screenshots('oidc');

describe('single sign-on with OpenID Connect', () => {
  let server: RunningServer;
  let idp: RunningIdp;
  let browser: Browser;
  let admin: Api;

  beforeAll(async () => {
    // The server discovers the IdP only at the first sign-in, so it can start first and
    // give the IdP its callback address.
    const idpPort = await freePort();
    server = await startServer({
      // MariaDB, as production runs: the identity link's unique index is the one that matters there.
      db: 'mysql',
      env: {
        SHOAL_OIDC_ISSUER: `http://127.0.0.1:${idpPort}`,
        SHOAL_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
        SHOAL_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
        SHOAL_OIDC_ADMIN_GROUPS: 'shoal-admins, platform-owners',
        SHOAL_OIDC_NAME: 'Example IdP',
      },
    });
    idp = await startIdp({
      port: idpPort,
      redirectUri: `${server.url}/api/auth/oidc/callback`,
      accounts: { alice: { groups: ['shoal-admins', 'engineering'] }, bob: { groups: ['engineering'] } },
    });
    browser = await launchPortalBrowser();
    const login = await new Api(server.url).post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    admin = new Api(server.url, login.body.accessToken);
  });

  afterAll(async () => {
    await browser?.close();
    await idp?.stop();
    await server?.destroy();
  });

  /**
   * The IdP's own pages as a person goes through them: the login form (any password: the
   * IdP's development login), then consent and device confirmation ("Continue"), until the
   * browser leaves the IdP or it says the device sign-in succeeded.
   */
  async function signInAtIdp(page: Page, username: string, name: string): Promise<void> {
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    for (let step = 0; step < 6; step++) {
      await page.waitForLoadState();
      if (!page.url().startsWith(idp.issuer)) return;
      if ((await page.title()) === 'Sign-in Success') return;
      await shot(page, `${name}-idp-${step}`);
      const login = page.locator('input[name="login"]');
      if (await login.count()) {
        await login.fill(username);
        await page.locator('input[name="password"]').fill('any-password');
        await page.getByRole('button', { name: 'Sign-in' }).click();
      } else {
        await page.getByRole('button', { name: 'Continue' }).click();
      }
    }
    throw new Error(`still at the IdP after 6 pages: ${page.url()}`);
  }

  /** Clicks "Sign in with Example IdP" in a fresh browser and returns the portal's session. */
  async function portalSso(username: string, name: string) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    const button = page.getByRole('link', { name: 'Sign in with Example IdP' });
    await button.waitFor();
    await shot(page, `${name}-portal-login`);
    await button.click();
    await signInAtIdp(page, username, name);
    return { context, page };
  }

  async function sessionOf(page: Page) {
    const raw = await page.evaluate(() => localStorage.getItem('shoal.session'));
    return JSON.parse(raw!) as { accessToken: string; user: { username: string; role: string; groups: string[] } };
  }

  it('tells the portal that single sign-on is there and what it is called', async () => {
    const res = await new Api(server.url).get('/api/auth/providers');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      oidc: { name: 'Example IdP', loginPath: '/api/auth/oidc/login' },
    });
  });

  it('signs alice in through the IdP as an admin (her group) and bob as a member', async () => {
    const alice = await portalSso('alice', 'alice');
    await alice.page.waitForURL(/\/resources/);
    await shot(alice.page, 'alice-signed-in');
    const aliceSession = await sessionOf(alice.page);
    expect(aliceSession.user).toMatchObject({
      username: 'alice',
      role: 'admin',
      groups: ['engineering', 'shoal-admins'],
    });
    expect((await new Api(server.url, aliceSession.accessToken).get('/api/admin/users')).status).toBe(200);
    // The portal shows her the admin pages.
    await expect(alice.page.getByRole('link', { name: 'Users' }).count()).resolves.toBeGreaterThan(0);
    await alice.context.close();

    const bob = await portalSso('bob', 'bob');
    await bob.page.waitForURL(/\/resources/);
    const bobSession = await sessionOf(bob.page);
    expect(bobSession.user).toMatchObject({ username: 'bob', role: 'member', groups: ['engineering'] });
    const asBob = new Api(server.url, bobSession.accessToken);
    expect((await asBob.get('/api/admin/users')).status).toBe(403);
    expect((await asBob.get('/api/resources')).status).toBe(200);
    await bob.context.close();

    // Both are Shoal users now, linked to the IdP, with no password that works.
    const users = await admin.get('/api/admin/users?q=');
    const byName = new Map((users.body.items as { username: string; sso: boolean }[]).map((u) => [u.username, u]));
    expect(byName.get('alice')?.sso).toBe(true);
    expect(byName.get('admin')?.sso).toBe(false);
    const noPassword = await new Api(server.url).post('/api/auth/login', { username: 'alice', password: '!sso' });
    expect(noPassword.status).toBe(401);
  });

  it('demotes alice at her next sign-in once the IdP takes her out of the admin group', async () => {
    idp.setGroups('alice', ['engineering']);
    const alice = await portalSso('alice', 'alice-demoted');
    await alice.page.waitForURL(/\/resources/);
    const session = await sessionOf(alice.page);
    expect(session.user).toMatchObject({ username: 'alice', role: 'member', groups: ['engineering'] });
    expect((await new Api(server.url, session.accessToken).get('/api/admin/users')).status).toBe(403);
    await alice.context.close();
  });

  it('refuses a disabled Shoal user at the IdP callback, and keeps the local admin working', async () => {
    const users = await admin.get('/api/admin/users?q=bob');
    const bobId = (users.body.items as { id: string }[])[0]!.id;
    expect((await admin.patch(`/api/admin/users/${bobId}`, { disabled: true })).status).toBe(200);
    const bob = await portalSso('bob', 'bob-disabled');
    await bob.page.waitForURL(/\/login\?sso_error=sso_user_disabled/);
    await expect(bob.page.getByTestId('login-error').textContent()).resolves.toContain('disabled');
    await shot(bob.page, 'bob-disabled');
    expect(await bob.page.evaluate(() => localStorage.getItem('shoal.session'))).toBeNull();
    await bob.context.close();
    expect((await admin.patch(`/api/admin/users/${bobId}`, { disabled: false })).status).toBe(200);

    // Break glass: the local admin still signs in with a password beside the SSO button.
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);
    await context.close();
  });

  it('refuses a callback without the login cookie it started with', async () => {
    const res = await fetch(`${server.url}/api/auth/oidc/callback?code=stolen&state=guessed`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?sso_error=sso_expired');
    const handoff = await new Api(server.url).post('/api/auth/oidc/session', {});
    expect(handoff.status).toBe(401);
  });

  describe('ID tokens the relying party must refuse', () => {
    afterEach(() => idp.tamperIdTokens(null));

    it.each([
      ['a flipped signature byte', 'flip-signature'],
      ['an expired token, signed with the real key', 'expired'],
      ['a token for another audience, signed with the real key', 'wrong-audience'],
    ] as const)('refuses %s and signs nobody in', async (_what, mode) => {
      idp.tamperIdTokens(mode);
      const before = idp.tamperedCount();
      const { context, page } = await portalSso('bob', `refused-${mode}`);
      await page.waitForURL(/\/login\?sso_error=sso_refused/);
      expect(idp.tamperedCount()).toBe(before + 1);
      await expect(page.getByTestId('login-error').textContent()).resolves.toContain('refused');
      expect(await page.evaluate(() => localStorage.getItem('shoal.session'))).toBeNull();
      await context.close();
      const audit = await admin.get('/api/admin/audit?action=auth.login-failed');
      expect(JSON.stringify(audit.body)).toContain('single sign-on');
    });

    it('signs in with the same token re-signed unchanged (the control)', async () => {
      idp.tamperIdTokens('resign');
      const before = idp.tamperedCount();
      const { context, page } = await portalSso('bob', 'resigned');
      await page.waitForURL(/\/resources/);
      expect(idp.tamperedCount()).toBe(before + 1);
      expect((await sessionOf(page)).user.username).toBe('bob');
      await context.close();
    });
  });

  it('logs the CLI in with the device flow once bob approves the code in a browser', async () => {
    const agent = new Agent('sso');
    const cli = agent.spawn(['login', '--server', server.url, '--sso']);
    const line = await until(
      'the CLI prints the verification URL and code',
      () => /open (\S+) in a browser and enter the code (\S+)/.exec(cli.stderr()),
      { timeoutMs: 30_000, detail: () => cli.stderr() },
    );
    const [, verificationUri, userCode] = line;
    expect(verificationUri!.startsWith(idp.issuer)).toBe(true);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(verificationUri!);
    await shot(page, 'device-code-entry');
    await page.locator('input[name="user_code"]').fill(userCode!);
    await signInAtIdp(page, 'bob', 'device');
    await expect(page.title()).resolves.toBe('Sign-in Success');
    await shot(page, 'device-done');
    await context.close();

    const result = await cli.exited();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^logged in as bob \(member\) until /);
    // The stored login works for what needs a user: enrolling this machine as a client.
    const enrolled = await agent.run(['enroll', '--server', server.url, '--name', 'bob-laptop']);
    expect(enrolled.code).toBe(0);
  });

  it('lets one address start only so many device sign-ins a minute (each costs a call to the IdP)', async () => {
    const anon = new Api(server.url);
    let refused: ApiResponse<{ code: string }> | null = null;
    // The CLI test above started one already; the budget is 10 a minute.
    for (let i = 0; i < 11 && !refused; i++) {
      const res = await anon.post('/api/auth/oidc/device', {});
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused?.body.code).toBe('too_many_requests');
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
