/**
 * The admin portal in a real browser (Debian's Chromium driven by playwright-core) against
 * the real server with seeded data: what a member and an admin see and can do.
 * Screenshots of every page land in test-results/portal/ for a person to look at.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { parseManifest } from '@shoal/contract';
import { Api } from './harness/api-client.js';
import { metadata, nodeKey } from './harness/fixtures.js';
import { ADMIN_PASSWORD, REPO_ROOT, startServer, type RunningServer } from './harness/server.js';

const CHROMIUM = process.env.SHOAL_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PORTAL_INDEX = join(REPO_ROOT, 'admin-portal/dist/admin-portal/browser/index.html');
const SHOTS = join(REPO_ROOT, 'test-results/portal');
const MEMBER = { username: 'mia', password: 'member-password-1' };

/** 26 filler resources + 4 named ones: more than one page of 25. */
const FILLERS = Array.from({ length: 26 }, (_, i) => `dataset-${String(i + 1).padStart(3, '0')}`);
const NAMED = ['ubuntu-24.04-desktop', 'ubuntu-22.04-server', 'debian-12-netinst', 'fedora-41-workstation'];

describe('admin portal in a browser', () => {
  let server: RunningServer;
  let admin: Api;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const ids = new Map<string, string>();
  /** Console errors other than refused requests (CSP violations, exceptions). */
  const consoleErrors: string[] = [];
  const nodes = new Map<string, { nodeId: string; api: Api }>();

  async function enroll(name: string, role: 'seed' | 'client', site: string, address: string) {
    const token = await admin.post('/api/admin/enrollment-tokens', { role, site });
    expect(token.status).toBe(201);
    const key = nodeKey();
    const res = await new Api(server.url).post('/api/nodes/enroll', {
      token: token.body.token,
      name,
      role,
      site,
      addresses: [address],
      publicKey: key.publicJwk,
    });
    expect(res.status).toBe(201);
    const node = {
      nodeId: res.body.nodeId as string,
      api: new Api(server.url).asNode(res.body.credential, key.privateKey),
    };
    nodes.set(name, node);
    return node;
  }

  async function shot(p: Page, name: string) {
    await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  async function login(p: Page, username: string, password: string) {
    await p.goto(`${server.url}/login`);
    await p.getByLabel('Username').fill(username);
    await p.getByLabel('Password', { exact: true }).fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(/\/resources/);
  }

  /**
   * Clicks what opens a dialog and waits until it is open as a user sees it, with the caret
   * in it. Material moves the focus into a dialog only once its opening animation is over
   * and the page has rendered again; keys typed before that may follow the focus into
   * another field (seen on a loaded machine: the edit dialog's tags went into its name).
   */
  async function openDialog(trigger: Locator, role: 'dialog' | 'alertdialog' = 'dialog') {
    await trigger.click();
    const dialog = trigger.page().getByRole(role);
    await dialog.waitFor();
    await trigger.page().waitForFunction(() => !!document.activeElement?.closest('[role=dialog], [role=alertdialog]'));
    return dialog;
  }

  /**
   * Nothing on the page scrolls sideways on a phone but a table's own frame (the shell's
   * content pane scrolls, not the document, so every scroll container counts), and the
   * named header cells of the table lie wholly inside the window.
   */
  async function readableOnPhone(p: Page, table: string, headers: string[]) {
    const layout = await p.evaluate((selector) => {
      const scrollsSideways = [document.scrollingElement!, ...document.querySelectorAll<HTMLElement>('body *')]
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .filter((el) => el === document.scrollingElement || /auto|scroll/.test(getComputedStyle(el).overflowX))
        .filter((el) => !el.classList.contains('table-wrap'))
        .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
      const cells = [...document.querySelectorAll<HTMLElement>(`${selector} th`)].map((th) => {
        const r = th.getBoundingClientRect();
        return { text: th.textContent?.trim() ?? '', left: r.left, right: r.right };
      });
      return { scrollsSideways, innerWidth: window.innerWidth, cells };
    }, table);
    expect(layout.scrollsSideways).toEqual([]);
    const inside = layout.cells.filter((c) => c.left >= 0 && c.right <= layout.innerWidth).map((c) => c.text);
    expect(inside).toEqual(expect.arrayContaining(headers));
  }

  /** Visible controls a screen reader could not name (no label, aria-label or text). */
  function unlabelled(p: Page): Promise<string[]> {
    return p.evaluate(() => {
      const controls = document.querySelectorAll<HTMLElement>(
        'input:not([type=hidden]), select, textarea, button, a[href], [role=button], [role=combobox], [role=menuitem]',
      );
      const named = (el: HTMLElement) => {
        if (el.getAttribute('aria-label')?.trim()) return true;
        const by = el.getAttribute('aria-labelledby');
        if (by && by.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim())) return true;
        if (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent?.trim()) return true;
        if (el.closest('label')?.textContent?.trim()) return true;
        if (!['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) && el.textContent?.trim()) return true;
        return !!el.getAttribute('title')?.trim();
      };
      return [...controls]
        .filter((el) => el.getClientRects().length > 0 && !named(el))
        .map((el) => el.outerHTML.slice(0, 120));
    });
  }

  const rows = (p: Page) => p.locator('[data-testid=resources-table] tr.mat-mdc-row');
  const rowNames = (p: Page) =>
    p.locator('[data-testid=resources-table] tr.mat-mdc-row td.mat-column-name a').allTextContents();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set SHOAL_CHROMIUM)`);
    }
    if (!existsSync(PORTAL_INDEX)) {
      throw new Error(`the portal is not built (${PORTAL_INDEX}); run npm run build first`);
    }
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer({ db: 'sqlite' });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    expect((await admin.post('/api/admin/users', { ...MEMBER, role: 'member' })).status).toBe(201);

    for (const name of [...NAMED, ...FILLERS]) {
      const res = await admin.post('/api/admin/resources', metadata(name, [1_500_000 + ids.size * 1000]));
      expect(res.status).toBe(201);
      ids.set(name, res.body.id);
    }
    const ubuntu = ids.get('ubuntu-24.04-desktop')!;

    // Two seed servers hold ubuntu-24.04 completely; three clients are downloading it.
    for (const [name, site, addr, uploaded] of [
      ['seed-paris', 'paris', '10.1.0.1:7070', 6 * 1024 ** 3],
      ['seed-lyon', 'lyon', '10.2.0.1:7070', 2 * 1024 ** 3],
    ] as const) {
      const seed = await enroll(name, 'seed', site, addr);
      const hb = await seed.api.post('/api/nodes/heartbeat', {
        holdings: [{ resourceId: ubuntu, complete: true, piecesHeld: 92 }],
        uploadedBytes: uploaded,
        downloadedBytes: 0,
      });
      expect(hb.status).toBe(200);
    }
    for (const [i, name] of ['laptop-ana', 'laptop-ben', 'laptop-cy'].entries()) {
      const client = await enroll(name, 'client', 'paris', `192.168.0.${10 + i}:7070`);
      await client.api.post('/api/nodes/heartbeat', {
        holdings: [],
        uploadedBytes: (i + 1) * 1024 ** 3,
        downloadedBytes: 2 * 1024 ** 3,
      });
      const announce = await client.api.post('/api/tracker/announce', {
        resourceId: ubuntu,
        event: 'started',
        left: 1_000_000,
        uploaded: 0,
        downloaded: 0,
      });
      expect(announce.status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 2500)); // the server refreshes counts about once a second

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
    context.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) consoleErrors.push(msg.text());
    });
    context.on('weberror', (err) => consoleErrors.push(String(err.error())));
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.destroy();
  });

  it('logs an admin in and shows the catalog', async () => {
    await page.goto(`${server.url}/resources`);
    await page.waitForURL(/\/login\?returnUrl=/); // not signed in yet
    await page.getByLabel('Username').fill('admin');
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, '01-login');
    await page.getByLabel('Password', { exact: true }).fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('login-error').textContent()).resolves.toBeTruthy();

    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/resources`);
    await rows(page).first().waitFor();
    expect(await rows(page).count()).toBe(25);
    await expect(page.getByTestId('summary').textContent()).resolves.toContain('30 resources');
    // Styles and the self-hosted fonts really apply (the server's CSP allows no inline handlers).
    expect(
      await page.evaluate(async () => {
        await document.fonts.ready;
        return document.fonts.check('24px "Material Icons"') && document.fonts.check('16px Roboto');
      }),
    ).toBe(true);
    expect(await page.locator('.skip-link').evaluate((el) => el.getBoundingClientRect().right)).toBeLessThan(0);
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, '02-catalog');
  });

  it('narrows the table and the URL as you type a search, and the link can be shared', async () => {
    await page.getByTestId('search').fill('ubuntu');
    await page.waitForURL(/[?&]q=ubuntu/);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=resources-table] tr.mat-mdc-row').length === 2,
    );
    expect((await rowNames(page)).sort()).toEqual(['ubuntu-22.04-server', 'ubuntu-24.04-desktop']);
    await shot(page, '03-catalog-search');

    const shared = await context.newPage();
    await shared.goto(page.url());
    await rows(shared).first().waitFor();
    expect(await rows(shared).count()).toBe(2);
    expect(await shared.getByTestId('search').inputValue()).toBe('ubuntu');
    await shared.close();

    await page.getByTestId('search').fill('no-such-thing');
    await page.getByTestId('empty-state').waitFor();
    await expect(page.getByTestId('empty-state').textContent()).resolves.toContain('No resources match');
  });

  it('sorts on the server by every column and pages through', async () => {
    await page.goto(`${server.url}/resources`);
    await rows(page).first().waitFor();
    await page.getByRole('columnheader', { name: 'Name' }).click();
    await page.waitForURL(/sort=name/);
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=resources-table] tr.mat-mdc-row a')?.textContent?.trim() === 'dataset-001',
    );
    await page.getByRole('columnheader', { name: 'Name' }).click();
    await page.waitForURL(/sort=-name/);
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=resources-table] tr.mat-mdc-row a')?.textContent?.trim() ===
        'ubuntu-24.04-desktop',
    );

    // Most seed servers first: ubuntu-24.04 has two.
    await page.getByRole('columnheader', { name: 'Seed servers' }).click();
    await page.getByRole('columnheader', { name: 'Seed servers' }).click();
    await page.waitForURL(/sort=-seeds/);
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=resources-table] tr.mat-mdc-row a')?.textContent?.trim() ===
        'ubuntu-24.04-desktop',
    );

    await page.goto(`${server.url}/resources?sort=name`);
    await rows(page).first().waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/page=2/);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=resources-table] tr.mat-mdc-row').length === 5,
    );
    expect(await rowNames(page)).toEqual([...NAMED, ...FILLERS].sort().slice(25));
  });

  it('shows a capped total as N+ and pages on until a page comes back short', async () => {
    // At 1,000,000 resources a search whose every word is broad answers a lower bound
    // (`totalCapped`). The server's real answers are capped here on their way to the
    // browser, to the least it may answer: the rows up to the page asked for.
    const api = /\/api\/resources\?/;
    await page.route(api, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      if (new URL(route.request().url()).searchParams.get('q') === 'dataset') {
        body.total = (body.page - 1) * body.size + body.items.length;
        body.totalCapped = true;
      }
      await route.fulfill({ status: res.status(), contentType: 'application/json', body: JSON.stringify(body) });
    });
    const range = () => page.locator('.mat-mdc-paginator-range-label').textContent();
    const next = page.getByRole('button', { name: 'Next page' });
    const firstRow = (name: string) =>
      page.waitForFunction(
        (n) => document.querySelector('[data-testid=resources-table] tr.mat-mdc-row a')?.textContent?.trim() === n,
        name,
      );
    try {
      await page.goto(`${server.url}/resources?q=dataset&size=10&sort=name`);
      await firstRow('dataset-001');
      expect((await page.getByTestId('summary').textContent())?.trim()).toBe('10+ resources match “dataset”');
      expect((await range())?.trim()).toBe('1 – 10 of 10+');
      expect(await page.getByRole('button', { name: 'Last page' }).count()).toBe(0);
      await shot(page, '03b-catalog-capped-total');

      await next.click();
      await page.waitForURL(/page=2/);
      await firstRow('dataset-011');
      expect((await range())?.trim()).toBe('11 – 20 of 20+');

      // page 3 holds the last 6: the total is exact now, and there is no next page
      await next.click();
      await page.waitForURL(/page=3/);
      await firstRow('dataset-021');
      expect(await rows(page).count()).toBe(6);
      expect((await page.getByTestId('summary').textContent())?.trim()).toBe('26 resources match “dataset”');
      expect((await range())?.trim()).toBe('21 – 26 of 26');
      expect(await next.getAttribute('aria-disabled')).toBe('true');
    } finally {
      await page.unroute(api);
    }
  });

  it('works from the keyboard alone', async () => {
    await page.goto(`${server.url}/resources`);
    await rows(page).first().waitFor();
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return { tag: el?.tagName ?? '', testid: el?.dataset['testid'] ?? '', text: el?.textContent?.trim() ?? '' };
      });
    async function tabTo(match: (f: { tag: string; testid: string; text: string }) => boolean) {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if (match(await focused())) return;
      }
      throw new Error('never reached the element with Tab');
    }

    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await tabTo((f) => f.testid === 'search');
    await page.keyboard.type('debian');
    await page.waitForURL(/q=debian/);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=resources-table] tr.mat-mdc-row').length === 1,
    );
    await tabTo((f) => f.text.startsWith('Name'));
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=name/);
    await tabTo((f) => f.tag === 'A' && f.text === 'debian-12-netinst');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/resources/${ids.get('debian-12-netinst')}`);
    await page.getByTestId('resource-name').waitFor();
  });

  it('shows the seed server and downloader counts the agents reported', async () => {
    await page.goto(`${server.url}/resources?q=ubuntu-24.04`);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=resources-table] tr.mat-mdc-row').length === 1,
    );
    const row = rows(page).first();
    expect((await row.getByTestId('seeds').textContent())?.trim()).toBe('2');
    expect((await row.getByTestId('downloaders').textContent())?.trim()).toBe('3');
    expect(await row.getByTestId('size').getAttribute('title')).toMatch(/^[\d,]+ bytes$/);

    await row.getByRole('link').click();
    await page.waitForURL(`${server.url}/resources/${ids.get('ubuntu-24.04-desktop')}`);
    await page.getByTestId('providers-table').waitFor();
    const providers = await page.locator('[data-testid=providers-table] tr.mat-mdc-row').allTextContents();
    expect(providers).toHaveLength(2);
    expect(providers.join(' ')).toContain('seed-paris');
    expect(providers.every((p) => p.includes('Online'))).toBe(true);
    expect(await page.locator('[data-testid=downloaders-table] tr.mat-mdc-row').count()).toBe(3);
    expect(await page.getByTestId('get-command').textContent()).toBe(
      `shoal get ${ids.get('ubuntu-24.04-desktop')} -o ./ubuntu-24.04-desktop`,
    );
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, '04-resource-detail');
  });

  it("opens a node's page from the nodes table: what it holds, by name, and what it moved", async () => {
    await page.goto(`${server.url}/nodes?q=seed-paris`);
    await page.getByTestId('node-link').filter({ hasText: 'seed-paris' }).click();
    await page.waitForURL(`${server.url}/nodes/${nodes.get('seed-paris')!.nodeId}`);
    await page.getByTestId('holdings-table').waitFor();
    expect(await page.getByTestId('node-name').textContent()).toBe('seed-paris');
    expect((await page.getByTestId('node-status').textContent())?.trim()).toBe('Online');
    expect((await page.getByTestId('node-role').textContent())?.trim()).toBe('seed server');
    expect((await page.getByTestId('uploaded').textContent())?.trim()).toBe('6 GiB');
    const holdings = await page.locator('[data-testid=holdings-table] tr.mat-mdc-row').allTextContents();
    expect(holdings.map((h) => h.replace(/\s+/g, ' ').trim())).toEqual(['ubuntu-24.04-desktop Complete']);
    await shot(page, 'node-page');
    await page.getByRole('link', { name: 'ubuntu-24.04-desktop' }).click();
    await page.waitForURL(`${server.url}/resources/${ids.get('ubuntu-24.04-desktop')}`);
  });

  it('downloads a manifest that parses', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-manifest').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.shoal\.json$/);
    const path = await download.path();
    const manifest = parseManifest(readFileSync(path!, 'utf8'));
    expect(manifest.resourceId).toBe(ids.get('ubuntu-24.04-desktop'));
    expect(manifest.name).toBe('ubuntu-24.04-desktop');
  });

  it('hides admin pages from a member, and the server refuses them anyway', async () => {
    const memberContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const m = await memberContext.newPage();
    await login(m, MEMBER.username, MEMBER.password);
    const nav = await m.locator('nav a [matListItemTitle]').allTextContents();
    expect(nav.map((t) => t.trim())).toEqual(['Resources', 'My downloads', 'My tokens', 'Account']);

    await m.goto(`${server.url}/nodes`);
    await m.getByTestId('forbidden').waitFor();
    await shot(m, '05-member-forbidden');

    const status = await m.evaluate(async () => {
      const session = JSON.parse(localStorage.getItem('shoal.session')!);
      const res = await fetch('/api/admin/nodes', { headers: { Authorization: `Bearer ${session.accessToken}` } });
      return res.status;
    });
    expect(status).toBe(403);

    await m.goto(`${server.url}/resources/${ids.get('debian-12-netinst')}`);
    await m.getByTestId('resource-name').waitFor();
    expect(await m.getByTestId('edit').count()).toBe(0);
    expect(await m.getByTestId('delete').count()).toBe(0);
    await memberContext.close();
  });

  it('lets a member make an API token that works, see its last use, and revoke it', async () => {
    const memberContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const m = await memberContext.newPage();
    await login(m, MEMBER.username, MEMBER.password);
    await m.getByRole('link', { name: 'My tokens' }).click();
    await m.getByTestId('api-tokens-empty').waitFor();

    const dialog = await openDialog(m.getByTestId('add-api-token'));
    // A member may only read: no publish or admin choice is offered.
    expect(await dialog.getByRole('radio').count()).toBe(1);
    await dialog.getByTestId('token-name').fill('laptop script');
    await dialog.getByTestId('create-api-token').click();
    const token = (await dialog.getByTestId('new-token').textContent())!.trim();
    expect(token).toMatch(/^shoal_pat_/);
    expect(await dialog.getByText(`shoal login --server ${server.url} --token-stdin`).count()).toBe(1);
    expect(await unlabelled(m)).toEqual([]);
    await shot(m, '05b-api-token-created');
    await dialog.getByRole('button', { name: 'Done' }).click();

    const row = m.locator('[data-testid=api-tokens-table] tr.mat-mdc-row');
    await row.first().waitFor();
    expect((await row.getByTestId('api-token-last-used').textContent())?.trim()).toBe('never');
    expect(await m.locator('body').textContent()).not.toContain(token);

    const bot = new Api(server.url, token);
    expect((await bot.get('/api/resources')).status).toBe(200);
    await m.reload();
    await row.first().waitFor();
    expect((await row.getByTestId('api-token-last-used').textContent())?.trim()).not.toBe('never');
    await shot(m, '05c-api-tokens');

    await m.getByRole('button', { name: 'Revoke the token laptop script' }).click();
    await m.getByTestId('confirm').click();
    await m.getByTestId('api-tokens-empty').waitFor();
    expect((await bot.get('/api/resources')).status).toBe(401);
    await memberContext.close();
  });

  it('lets a user change their password, which signs their other browser out, then sign out everywhere', async () => {
    const user = { username: 'ines', password: 'ines-password-1' };
    expect((await admin.post('/api/admin/users', { ...user, role: 'member' })).status).toBe(201);
    const contexts = [1, 2].map(() => browser.newContext({ viewport: { width: 1280, height: 860 } }));
    const [here, there] = await Promise.all(contexts);
    const a = await here!.newPage();
    const b = await there!.newPage();
    await login(a, user.username, user.password);
    await login(b, user.username, user.password);
    const meStatus = (p: Page) =>
      p.evaluate(async () => {
        const session = JSON.parse(localStorage.getItem('shoal.session')!);
        return (await fetch('/api/auth/me', { headers: { Authorization: `Bearer ${session.accessToken}` } })).status;
      });

    await a.getByRole('link', { name: 'Account' }).click();
    await a.getByTestId('current-password').fill(user.password);
    await a.getByTestId('new-password').fill('ines-password-2');
    await a.getByTestId('confirm-password').fill('ines-password-2');
    expect(await unlabelled(a)).toEqual([]);
    await shot(a, '05d-account');
    await a.getByTestId('change-password').click();
    await a.getByText('Password changed').waitFor();
    expect(await meStatus(a)).toBe(200);
    expect(await meStatus(b)).toBe(401);
    await b.reload();
    await b.waitForURL(/\/login\?/);

    await a.getByTestId('sign-out-everywhere').click();
    await a.getByTestId('confirm').click();
    await a.waitForURL(/\/login\?reason=everywhere/);
    expect(await a.getByTestId('login-notice').textContent()).toContain('signed out everywhere');
    await login(a, user.username, 'ines-password-2');
    await Promise.all([here!.close(), there!.close()]);
  });

  it('lets an admin create an enrollment token that really enrolls, and revoke a node', async () => {
    // Our five agents, plus the server's built-in seed when it has one.
    const known = (await admin.get('/api/admin/nodes?size=200')).body.total as number;
    expect(known).toBeGreaterThanOrEqual(5);
    await page.goto(`${server.url}/nodes`);
    await page.locator('[data-testid=nodes-table] tr.mat-mdc-row').first().waitFor();
    expect(await page.locator('[data-testid=nodes-table] tr.mat-mdc-row').count()).toBe(known);
    for (const name of nodes.keys()) {
      expect(await page.locator('[data-testid=nodes-table]').textContent()).toContain(name);
    }
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, '06-nodes');

    // The server's built-in seed is labelled and offers no revoke (the server refuses it anyway).
    const builtinRow = page
      .locator('[data-testid=nodes-table] tr.mat-mdc-row')
      .filter({ has: page.getByTestId('builtin') });
    expect(await builtinRow.count()).toBe(1);
    expect((await builtinRow.getByTestId('builtin').textContent())?.trim()).toBe('built-in');
    expect(await builtinRow.getByTestId('revoke').count()).toBe(0);
    const builtinNode = (await admin.get('/api/admin/nodes?size=200')).body.items.find(
      (n: { builtin: boolean }) => n.builtin,
    );
    expect((await admin.post(`/api/admin/nodes/${builtinNode.id}/revoke`, {})).status).toBe(409);

    const enrollDialog = await openDialog(page.getByTestId('add-seed'));
    await enrollDialog.getByTestId('enroll-site').fill('berlin');
    await page.getByTestId('create-token').click();
    const command = (await page.getByTestId('enroll-command').textContent())!;
    expect(command).toContain(`--server ${server.url}`);
    await shot(page, '07-enroll-command');
    const token = /--token (\S+)/.exec(command)![1];
    const enrolled = await new Api(server.url).post('/api/nodes/enroll', {
      token,
      name: 'seed-berlin',
      role: 'seed',
      site: 'berlin',
      addresses: ['10.3.0.1:7070'],
      publicKey: nodeKey().publicJwk,
    });
    expect(enrolled.status).toBe(201);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=nodes-table] tr.mat-mdc-row').length === n,
      known + 1,
    );

    await page.getByTestId('node-search').fill('seed-lyon');
    await page.waitForURL(/q=seed-lyon/);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=nodes-table] tr.mat-mdc-row').length === 1,
    );
    await page.getByRole('button', { name: 'Revoke seed-lyon' }).click();
    await page.getByTestId('confirm').click();
    await page.getByTestId('node-status').filter({ hasText: 'Revoked' }).waitFor();

    const lyon = nodes.get('seed-lyon')!;
    const hb = await lyon.api.post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 0, downloadedBytes: 0 });
    expect(hb.status).toBe(401);
  });

  it('makes one token for a fleet: the agent install first, a command that wraps between arguments, the uses on the tokens page', async () => {
    await page.goto(`${server.url}/nodes`);
    const dialog = await openDialog(page.getByTestId('add-seed'));
    await dialog.getByTestId('enroll-max-uses').fill('3');
    await page.getByTestId('create-token').click();
    const enrollCommand = dialog.getByTestId('enroll-command');
    const command = (await enrollCommand.textContent())!;
    expect(command).toMatch(/^shoal enroll --server \S+ --token shoal-enroll-\S+ --role seed --name "\$\(hostname\)" /);
    // How to get the agent comes before the enroll command (this server hands one out, or says it has none).
    const hint = dialog.getByTestId('install-command').or(dialog.getByTestId('agent-missing'));
    await hint.waitFor();
    const before = await hint.evaluate(
      (h, e) => !!(h.compareDocumentPosition(e!) & Node.DOCUMENT_POSITION_FOLLOWING),
      await enrollCommand.elementHandle(),
    );
    expect(before).toBe(true);
    expect(await dialog.textContent()).toContain('each new machine (up to 3)');
    // The command wraps onto several lines, but no flag or value is cut: every argument
    // group is on one line.
    const layout = await enrollCommand.evaluate((code) => {
      const line = parseFloat(getComputedStyle(code).lineHeight) || 20;
      const args = [...code.querySelectorAll<HTMLElement>('.arg')];
      return {
        lines: code.getBoundingClientRect().height / line,
        cut: args.filter((a) => a.getBoundingClientRect().height > line * 1.5).map((a) => a.textContent),
      };
    });
    expect(layout.lines).toBeGreaterThan(1.5);
    expect(layout.cut).toEqual([]);
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, '07b-enroll-fleet');

    const token = /--token (\S+)/.exec(command)![1];
    const enrollAs = (name: string, i: number) =>
      new Api(server.url).post('/api/nodes/enroll', {
        token,
        name,
        role: 'seed',
        addresses: [`10.5.0.${i}:7070`],
        publicKey: nodeKey().publicJwk,
      });
    for (const [i, name] of ['fleet-a', 'fleet-b', 'fleet-c'].entries())
      expect((await enrollAs(name, i)).status).toBe(201);
    expect((await enrollAs('fleet-d', 4)).status).toBe(401);
    await page.getByRole('button', { name: 'Done' }).click();

    await page.getByTestId('enrollment-tokens-link').click();
    await page.waitForURL(/\/nodes\/enrollment-tokens/);
    const row = page.locator('[data-testid=tokens-table] tr.mat-mdc-row').first();
    await row.waitFor();
    expect((await row.getByTestId('token-uses').textContent())?.trim()).toBe('3 of 3');
    expect((await row.getByTestId('token-state').textContent())?.trim()).toBe('Used up');
    expect(await unlabelled(page)).toEqual([]);

    // A fresh reusable token, revoked from the page: it enrolls no one more.
    const fresh = await admin.post('/api/admin/enrollment-tokens', { role: 'seed', maxUses: 50 });
    await page.goto(`${server.url}/nodes/enrollment-tokens?state=active`);
    const active = page.locator('[data-testid=tokens-table] tr.mat-mdc-row').filter({ hasText: '0 of 50' });
    await active.waitFor();
    await shot(page, '07c-enrollment-tokens');
    await active.getByTestId('revoke-token').click();
    await page.getByTestId('confirm').click();
    await active.getByTestId('token-state').filter({ hasText: 'Revoked' }).waitFor();
    const refused = await new Api(server.url).post('/api/nodes/enroll', {
      token: fresh.body.token,
      name: 'fleet-late',
      role: 'seed',
      addresses: ['10.5.0.9:7070'],
      publicKey: nodeKey().publicJwk,
    });
    expect(refused.body).toMatchObject({ errors: { token: 'revoked' } });
  });

  it('shows users, the dashboard and the publish page', async () => {
    await page.goto(`${server.url}/users`);
    await page.locator('[data-testid=users-table] tr.mat-mdc-row').first().waitFor();
    expect(await page.locator('[data-testid=users-table]').textContent()).toContain(MEMBER.username);
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, '08-users');

    await page.goto(`${server.url}/dashboard`);
    await page.getByTestId('total-resources').waitFor();
    expect((await page.getByTestId('total-resources').textContent())?.trim()).toBe('30');
    await page.waitForTimeout(300); // let Chart.js draw
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, '09-dashboard');

    await page.goto(`${server.url}/publish`);
    await page.getByTestId('file-input').setInputFiles({
      name: 'release-notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Shoal release notes\n'),
    });
    expect(await page.getByTestId('name').inputValue()).toBe('release-notes.txt');
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, '10-publish');
  });

  it('lets an admin preheat a resource on chosen seed servers, follow each one and cancel', async () => {
    const one = await enroll('seed-madrid-1', 'seed', 'madrid', '10.4.0.1:7070');
    const two = await enroll('seed-madrid-2', 'seed', 'madrid', '10.4.0.2:7070');
    const heartbeat = (node: { api: Api }, preheat: unknown[] = []) =>
      node.api.post('/api/nodes/heartbeat', { holdings: [], uploadedBytes: 0, downloadedBytes: 0, preheat });
    const debian = ids.get('debian-12-netinst')!;
    const fedora = ids.get('fedora-41-workstation')!;

    // An earlier job for the whole site, already over: one seed server done, one failed.
    const earlier = await admin.post('/api/admin/preheat', { resourceId: fedora, site: 'madrid' });
    expect(earlier.status).toBe(201);
    expect((await heartbeat(one, [{ jobId: earlier.body.id, state: 'done', percent: 100 }])).status).toBe(200);
    await heartbeat(two, [
      { jobId: earlier.body.id, state: 'failed', percent: 12, error: 'disk full on /var/lib/shoal' },
    ]);

    await page.goto(`${server.url}/resources/${debian}`);
    await page.getByTestId('no-preheat-jobs').waitFor();
    await page.getByTestId('preheat').click();
    const dialog = page.getByRole('dialog');
    // Or every seed server of a site: the sites are offered with their seed server counts.
    await dialog.getByRole('radio', { name: 'Every seed server of a site' }).check();
    await dialog.getByRole('combobox', { name: 'Site' }).click();
    const madrid = page.getByRole('option', { name: 'madrid (2 seed servers)' });
    await madrid.waitFor();
    await page.waitForTimeout(300); // the panel opens
    await shot(page, '21-preheat-dialog-site');
    await page.keyboard.press('Escape');
    await madrid.waitFor({ state: 'detached' });
    await dialog.getByRole('radio', { name: 'Chosen seed servers' }).check();
    await dialog.getByRole('option', { name: /seed-madrid-1/ }).click();
    await dialog.getByRole('option', { name: /seed-madrid-2/ }).click();
    await page.waitForTimeout(300); // the dialog fades in
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, '21-preheat-dialog');
    await dialog.getByTestId('start-preheat').click();
    await dialog.waitFor({ state: 'detached' });

    const mine = page.getByTestId('resource-preheat').getByTestId('preheat-job');
    await mine.getByTestId('task-state').first().waitFor();
    expect(await mine.getByTestId('task-state').allTextContents()).toEqual(['Queued', 'Queued']);
    const jobs = (await admin.get(`/api/admin/preheat?resourceId=${debian}`)).body;
    expect(jobs).toHaveLength(1);
    expect(jobs[0].tasks.map((t: { nodeName: string }) => t.nodeName).sort()).toEqual([
      'seed-madrid-1',
      'seed-madrid-2',
    ]);
    await mine.scrollIntoViewIfNeeded();
    await shot(page, '22-resource-preheat');

    await page.getByRole('navigation').getByRole('link', { name: 'Preheat' }).click();
    await page.waitForURL(`${server.url}/preheat`);
    const job = page.getByTestId('preheat-job').filter({ hasText: 'debian-12-netinst' });
    await job.getByTestId('task-state').first().waitFor();
    expect(await job.getByTestId('task-state').allTextContents()).toEqual(['Queued', 'Queued']);
    expect(await page.getByTestId('preheat-job').count()).toBe(2);

    // The first seed server picks the task up and reports progress: the page follows by itself.
    const hb = await heartbeat(one);
    expect(hb.body.preheat).toContainEqual({ jobId: jobs[0].id, resourceId: debian });
    await heartbeat(one, [{ jobId: jobs[0].id, state: 'running', percent: 40 }]);
    await job.getByTestId('task-state').filter({ hasText: 'Running' }).waitFor({ timeout: 15_000 });
    expect(await job.getByTestId('task-progress').getAttribute('aria-valuenow')).toBe('40');
    const over = page.getByTestId('preheat-job').filter({ hasText: 'fedora-41-workstation' });
    expect((await over.textContent())!).toContain('disk full on /var/lib/shoal');
    expect(await over.getByTestId('cancel-preheat').count()).toBe(0);
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, '23-preheat');

    await job.getByTestId('cancel-preheat').click();
    await page.getByRole('alertdialog').waitFor();
    await page.getByTestId('confirm').click();
    await job.getByTestId('job-cancelled').waitFor();
    expect(await job.getByTestId('task-state').allTextContents()).toEqual(['Cancelled', 'Cancelled']);
    expect(await job.getByTestId('cancel-preheat').count()).toBe(0);
    const stored = (await admin.get(`/api/admin/preheat/${jobs[0].id}`)).body;
    expect(stored.cancelled).toBe(true);
    expect(stored.tasks.map((t: { state: string }) => t.state)).toEqual(['cancelled', 'cancelled']);
    expect((await heartbeat(one)).body.preheatCancelled).toContain(jobs[0].id);
    await shot(page, '24-preheat-cancelled');
  });

  it('publishes a file from the browser through the built-in seed, with progress', async () => {
    const content = Buffer.alloc(3 * 1024 * 1024 + 123, 7);
    await page.goto(`${server.url}/publish`);
    await page
      .getByTestId('file-input')
      .setInputFiles({ name: 'tools-2.0.tar', mimeType: 'application/x-tar', buffer: content });
    await page.getByTestId('name').fill('Tools 2.0');
    await page.getByTestId('description').fill('Build tools, uploaded from the portal');
    await page.getByTestId('start-upload').click();
    await page.getByTestId('upload-done').waitFor({ timeout: 60_000 });
    await shot(page, '11-publish-done');

    await page.getByTestId('upload-done').getByRole('link').click();
    await page.getByTestId('resource-name').waitFor();
    expect(await page.getByTestId('resource-name').textContent()).toBe('Tools 2.0');
    expect(await page.getByTestId('files-table').textContent()).toContain('tools-2.0.tar');
    expect(await page.getByTestId('description').textContent()).toContain('uploaded from the portal');
    const listed = await admin.get('/api/resources?q=Tools');
    expect(listed.body.items.map((r: { name: string; size: number }) => [r.name, r.size])).toEqual([
      ['Tools 2.0', content.length],
    ]);
  });

  it('cancels an upload in flight and publishes nothing', async () => {
    await page.goto(`${server.url}/publish`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 512 * 1024,
    });
    await page.getByTestId('file-input').setInputFiles({
      name: 'slow.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(20 * 1024 * 1024, 1),
    });
    await page.getByTestId('start-upload').click();
    await page.getByTestId('upload-progress').waitFor();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=upload-progress]')?.getAttribute('aria-valuenow')) > 0,
      undefined,
      { timeout: 20_000 },
    );
    await shot(page, '12-publish-progress');
    await page.getByTestId('cancel-upload').click();
    await page.getByTestId('upload-cancelled').waitFor();
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await cdp.detach();
    await new Promise((r) => setTimeout(r, 1000));
    expect((await admin.get('/api/resources?q=slow')).body.total).toBe(0);
  });

  it('lets an admin edit a resource and delete one after confirming', async () => {
    await page.goto(`${server.url}/resources/${ids.get('fedora-41-workstation')}`);
    const dialog = await openDialog(page.getByTestId('edit'));
    await dialog.getByLabel('Description').fill('Fedora 41, GNOME edition');
    await dialog.getByLabel('Tags').fill('linux, fedora');
    // One field per line, full width.
    const [nameBox, descBox] = await Promise.all([
      dialog.getByLabel('Name').boundingBox(),
      dialog.getByLabel('Description').boundingBox(),
    ]);
    expect(descBox!.y).toBeGreaterThan(nameBox!.y + nameBox!.height);
    await shot(page, '16-edit-resource');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('description').filter({ hasText: 'GNOME edition' }).waitFor();
    const stored = await admin.get(`/api/resources/${ids.get('fedora-41-workstation')}`);
    expect(stored.body.name).toBe('fedora-41-workstation');
    expect(stored.body.description).toBe('Fedora 41, GNOME edition');
    expect(stored.body.tags).toEqual(['linux', 'fedora']);

    await page.goto(`${server.url}/resources/${ids.get('dataset-026')}`);
    await page.getByTestId('delete').click();
    await page.getByRole('alertdialog').waitFor();
    await page.waitForTimeout(300); // the dialog fades in
    await shot(page, '17-delete-confirm');
    await page.getByTestId('confirm').click();
    await page.waitForURL(`${server.url}/resources`);
    expect((await admin.get(`/api/resources/${ids.get('dataset-026')}`)).status).toBe(404);
  });

  it('lets an admin create a user, reset the password and disable them', async () => {
    await page.goto(`${server.url}/users`);
    const newUser = await openDialog(page.getByTestId('new-user'));
    await newUser.getByTestId('new-username').fill('noah');
    await newUser.getByTestId('new-password').fill('first-password-1');
    await page.waitForTimeout(300); // the dialog fades in
    await shot(page, '20-new-user');
    await page.getByTestId('create-user').click();
    await page.locator('[data-testid=users-table]').filter({ hasText: 'noah' }).waitFor();
    expect(
      (await new Api(server.url).post('/api/auth/login', { username: 'noah', password: 'first-password-1' })).status,
    ).toBe(200);

    const row = page.locator('[data-testid=users-table] tr.mat-mdc-row').filter({ hasText: 'noah' });
    await row.getByTestId('user-actions').click();
    const reset = await openDialog(page.getByRole('menuitem', { name: /Reset password/ }));
    await reset.getByLabel('New password').fill('second-password-2');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await reset.waitFor({ state: 'detached' });
    expect(
      (await new Api(server.url).post('/api/auth/login', { username: 'noah', password: 'second-password-2' })).status,
    ).toBe(200);

    await row.getByTestId('user-actions').click();
    await page.getByRole('menuitem', { name: /Disable/ }).click();
    await page.getByTestId('confirm').click();
    await row.filter({ hasText: 'Disabled' }).waitFor();
    expect(
      (await new Api(server.url).post('/api/auth/login', { username: 'noah', password: 'second-password-2' })).status,
    ).not.toBe(200);
  });

  it('stays readable on a narrow window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/resources`);
    await rows(page).first().waitFor();
    // The catalog drops its secondary column and fits the window without scrolling.
    await readableOnPhone(page, '[data-testid=resources-table]', ['Name', 'Size', 'Seeds', 'Downloaders']);
    expect(await page.locator('[data-testid=resources-table] th').allTextContents()).not.toContainEqual(
      expect.stringContaining('Updated'),
    );
    await shot(page, '13-catalog-narrow');
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.getByRole('link', { name: 'Dashboard' }).waitFor();
    await page.waitForTimeout(500); // the drawer slides in
    const drawer = await page.getByRole('link', { name: 'Dashboard' }).boundingBox();
    expect(drawer!.x).toBeGreaterThanOrEqual(0);
    expect(drawer!.x + drawer!.width).toBeLessThanOrEqual(390);
    await shot(page, '14-nav-narrow');
    await page.keyboard.press('Escape');
    await page.goto(`${server.url}/resources/${ids.get('ubuntu-24.04-desktop')}`);
    await page.getByTestId('providers-table').waitFor();
    await readableOnPhone(page, '[data-testid=providers-table]', ['Name']);
    await shot(page, '18-detail-narrow');
    await page.goto(`${server.url}/nodes`);
    await page.locator('[data-testid=nodes-table] tr.mat-mdc-row').first().waitFor();
    // Nine columns do not fit a phone: the table scrolls in its frame, its names in view.
    await readableOnPhone(page, '[data-testid=nodes-table]', ['Name']);
    await shot(page, '19-nodes-narrow');
    await page.goto(`${server.url}/preheat`);
    await page.getByTestId('task-state').first().waitFor();
    await readableOnPhone(page, '[data-testid=preheat-job] table', ['Seed server', 'State', 'Progress']);
    await shot(page, '26-preheat-narrow');
  });

  it('refreshes the session shortly before it runs out, so an open app stays signed in', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`${server.url}/resources`);
    await rows(page).first().waitFor();
    // Pretend the token has a minute and a second left: the app asks for a fresh one.
    const old = await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('shoal.session')!);
      localStorage.setItem(
        'shoal.session',
        JSON.stringify({ ...s, expiresAt: new Date(Date.now() + 61_000).toISOString() }),
      );
      return s.accessToken as string;
    });
    await page.reload();
    await page.waitForFunction(
      (previous) => JSON.parse(localStorage.getItem('shoal.session')!).accessToken !== previous,
      old,
      { timeout: 10_000 },
    );
    const fresh = await page.evaluate(() => JSON.parse(localStorage.getItem('shoal.session')!));
    expect(Date.parse(fresh.expiresAt)).toBeGreaterThan(Date.now() + 5 * 60_000);
    expect(fresh.user.username).toBe('admin');
    expect((await new Api(server.url, fresh.accessToken).get('/api/auth/me')).status).toBe(200);
    expect(page.url()).toBe(`${server.url}/resources`);
  });

  it('lists the audit log, page by page', async () => {
    await page.goto(`${server.url}/audit`);
    await page.locator('[data-testid=audit-table] tr.mat-mdc-row').first().waitFor();
    const total = (await admin.get('/api/admin/audit?page=1&size=25')).body.total as number;
    expect(total).toBeGreaterThan(25);
    await expect(page.getByTestId('audit-summary').textContent()).resolves.toContain(`${total} entries`);
    const actions = await page.getByTestId('audit-action').allTextContents();
    expect(actions).toHaveLength(25);
    // Newest first: the preheat cancelled in the browser comes before the one created.
    expect(actions.map((a) => a.trim())).toEqual(
      expect.arrayContaining(['preheat.cancel', 'preheat.create', 'node.revoke']),
    );
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, '25-audit');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/\/audit\?page=2/);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=audit-table] tr.mat-mdc-row').length === n,
      Math.min(25, total - 25),
    );
    const shared = await context.newPage();
    await shared.goto(page.url());
    await shared.locator('[data-testid=audit-table] tr.mat-mdc-row').first().waitFor();
    expect(await shared.locator('[data-testid=audit-table] tr.mat-mdc-row').count()).toBe(Math.min(25, total - 25));
    await shared.close();
  });

  it('filters the audit log by action and who, and exports what it shows as CSV', async () => {
    await page.goto(`${server.url}/audit`);
    await page.getByTestId('audit-action-filter').click();
    await page.getByRole('option', { name: 'Revoked a node', exact: true }).click();
    await page.waitForURL(/action=node\.revoke/);
    await page.getByTestId('audit-actor').fill('admin');
    await page.getByTestId('audit-actor').press('Enter');
    await page.waitForURL(/actor=admin/);
    const expected = (await admin.get('/api/admin/audit?action=node.revoke&actor=admin')).body.total as number;
    expect(expected).toBeGreaterThan(0);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=audit-table] tr.mat-mdc-row').length === n,
      expected,
    );
    const about = await page.getByTestId('audit-target-cell').allTextContents();
    // Named, not a truncated id.
    expect(about.every((a) => /^\s*Node \S+/.test(a) && !a.includes('…'))).toBe(true);
    await shot(page, '26-audit-filtered');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^shoal-audit-[\d-]+\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv).toHaveLength(1 + expected);
    expect(csv.slice(1).every((l) => l.includes(',node.revoke,Revoked a node,admin,'))).toBe(true);
  });

  it('sends an expired session back to login with a message', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('shoal.session')!);
      localStorage.setItem('shoal.session', JSON.stringify({ ...s, accessToken: 'not-a-valid-token' }));
    });
    await page.goto(`${server.url}/resources?q=debian`);
    await page.waitForURL(/\/login\?/);
    await expect(page.getByTestId('login-notice').textContent()).resolves.toContain('session has expired');
    await shot(page, '15-session-expired');
  });

  it('logs no errors in the browser console', () => {
    expect(consoleErrors).toEqual([]);
  });
});
