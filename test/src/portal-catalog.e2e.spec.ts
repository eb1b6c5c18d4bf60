/**
 * The catalog journeys in a real browser, as an admin and a member click them: publishing
 * with tags and a long description (limits from contract/, refused at the form before
 * anything is sent), finding by tag and by description words, tables whose search, sort
 * and page are history entries (Back and Forward walk them), "All resources" back to the
 * same page, a page past the end, a resource that does not exist, and the dashboard's
 * wording. Screenshots land in test-results/portal-catalog/.
 */
import { LIMITS } from '@shoal/contract';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api } from './harness/api-client.js';
import { metadata } from './harness/fixtures.js';
import { launchPortalBrowser, screenshots, signIn } from './harness/portal-browser.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from './harness/server.js';

const MEMBER = { username: 'noor', password: 'member-password-2' };
/** 28 "build-NN" resources (more than one page of 25) and two described and tagged ones. */
const BUILDS = Array.from({ length: 28 }, (_, i) => `build-${String(i + 1).padStart(2, '0')}`);
const shot = screenshots('portal-catalog');

describe('catalog journeys in a browser', () => {
  let server: RunningServer;
  let admin: Api;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const ids = new Map<string, string>();
  const consoleErrors: string[] = [];

  const rows = (p: Page) => p.locator('[data-testid=resources-table] tr.mat-mdc-row');
  /** Waits until the table shows exactly these names, in this order. */
  const tableShows = (p: Page, names: string[]) =>
    p.waitForFunction(
      (want) =>
        JSON.stringify(
          [...document.querySelectorAll('[data-testid=resources-table] tr.mat-mdc-row a.name')].map((a) =>
            a.textContent?.trim(),
          ),
        ) === JSON.stringify(want),
      names,
    );
  const query = (p: Page) => Object.fromEntries(new URL(p.url()).searchParams);

  beforeAll(async () => {
    server = await startServer({ db: 'sqlite' });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    expect((await admin.post('/api/admin/users', { ...MEMBER, role: 'member' })).status).toBe(201);
    for (const name of BUILDS) {
      const res = await admin.post('/api/admin/resources', { ...metadata(name), description: '' });
      expect(res.status).toBe(201);
      ids.set(name, res.body.id);
    }
    const described = [
      ['spectrometer-drivers', 'Calibration tools for the optics lab', ['lab', 'windows']],
      ['render-farm-image', 'Node image for the GPU render farm', ['gpu', 'linux']],
    ] as const;
    for (const [name, description, tags] of described) {
      const res = await admin.post('/api/admin/resources', { ...metadata(name), description, tags });
      expect(res.status).toBe(201);
      ids.set(name, res.body.id);
    }

    browser = await launchPortalBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) consoleErrors.push(msg.text());
    });
    context.on('weberror', (err) => consoleErrors.push(String(err.error())));
    page = await context.newPage();
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.destroy();
  });

  it('refuses a blank name at the form, caps the fields at the server limits, and sends nothing', async () => {
    await page.goto(`${server.url}/publish`);
    await page
      .getByTestId('file-input')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello\n') });
    let uploads = 0;
    page.on('request', (r) => {
      if (r.url().includes('/api/admin/uploads')) uploads++;
    });
    await page.getByTestId('name').fill('    ');
    await page.getByTestId('start-upload').click();
    await page.getByTestId('name-error').waitFor();
    expect((await page.getByTestId('name-error').textContent())?.trim()).toBe('The name must not be only spaces');
    // The box takes the server's 200 characters, not one more.
    await page.getByTestId('name').fill('n'.repeat(LIMITS.maxNameLength + 40));
    expect((await page.getByTestId('name').inputValue()).length).toBe(LIMITS.maxNameLength);
    await page.getByTestId('tags').fill('has space!');
    await page.getByTestId('tags').press('Enter');
    await page.getByTestId('tags-error').waitFor();
    expect(await page.getByTestId('tags-error').textContent()).toContain('A tag must be 1-64 letters');
    await shot(page, '01-publish-refused-at-the-form');
    expect(uploads).toBe(0);
  });

  it('publishes with tags and a 4,000-character non-ASCII description, shown as chips that filter', async () => {
    const description = `Prüfstand-Messdaten ${'äöü '.repeat(995)}`.slice(0, LIMITS.maxDescriptionLength);
    await page.goto(`${server.url}/publish`);
    await page
      .getByTestId('file-input')
      .setInputFiles({ name: 'messdaten.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(90_000, 3) });
    await page.getByTestId('name').fill('Messdaten Prüfstand 7');
    await page.getByTestId('description').fill(description);
    await page.getByTestId('tags').fill('lab');
    await page.getByTestId('tags').press('Enter');
    await page.getByTestId('tags').pressSequentially('qa-2026,');
    await page.getByTestId('tag-chip').nth(1).waitFor();
    expect((await page.getByTestId('tag-chip').allTextContents()).map((t) => t.replace('cancel', '').trim())).toEqual([
      'lab',
      'qa-2026',
    ]);
    await shot(page, '02-publish-with-tags');
    await page.getByTestId('start-upload').click();
    await page.getByTestId('upload-done').waitFor({ timeout: 60_000 });
    await page.getByTestId('upload-done').getByRole('link').click();
    await page.getByTestId('resource-name').waitFor();
    expect(await page.getByTestId('resource-name').textContent()).toBe('Messdaten Prüfstand 7');
    expect((await page.getByTestId('description').textContent())?.trim()).toBe(description.trim());
    expect(await page.getByTestId('tag').allTextContents()).toEqual(['lab', 'qa-2026']);
    await shot(page, '03-detail-with-tags');

    // A chip is a link to the catalog filtered by its tag.
    await page.getByTestId('tag').filter({ hasText: 'lab' }).click();
    await page.waitForURL(/\/resources\?tag=lab$/);
    await tableShows(page, ['Messdaten Prüfstand 7', 'spectrometer-drivers']);
    expect((await page.getByTestId('summary').textContent())?.trim()).toBe('2 resources tagged “lab”');
    await page.getByTestId('tag-filter').waitFor();
    await shot(page, '04-catalog-tagged-lab');
    await page.getByTestId('clear-tag').click();
    await page.waitForURL(`${server.url}/resources`);
    await rows(page).nth(24).waitFor();
  });

  it('lets a member find resources by words of their descriptions and by tags, chips in the rows', async () => {
    const member = await context.browser()!.newContext({ viewport: { width: 1280, height: 860 } });
    const p = await member.newPage();
    try {
      await signIn(p, server.url, MEMBER.username, MEMBER.password);
      await p.getByTestId('search').fill('optics calib');
      await p.waitForURL(/q=optics%20calib/);
      await tableShows(p, ['spectrometer-drivers']);
      expect(await p.locator('[data-testid=resources-table] [data-testid=tag]').allTextContents()).toEqual([
        'lab',
        'windows',
      ]);
      await shot(p, '05-member-search-description');
      await p.goto(`${server.url}/resources?tag=gpu&q=render`);
      await tableShows(p, ['render-farm-image']);
      await p.goto(`${server.url}/resources?tag=gpu&q=optics`);
      await p.getByTestId('empty-state').waitFor();
      expect((await p.getByTestId('empty-state').textContent())?.replace(/\s+/g, ' ')).toContain(
        'No resources match “optics” tagged “gpu”.',
      );
    } finally {
      await member.close();
    }
  });

  it('makes each search, sort and page a history entry that Back and Forward walk', async () => {
    await page.goto(`${server.url}/resources`);
    await rows(page).nth(24).waitFor();
    await page.getByTestId('search').fill('build');
    await page.waitForURL(/q=build/);
    await page.getByRole('columnheader', { name: 'Name' }).click();
    await page.waitForURL(/sort=name/);
    await tableShows(page, BUILDS.slice(0, 25));
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/page=2/);
    await tableShows(page, BUILDS.slice(25));
    await shot(page, '06-history-page-2');

    await page.goBack();
    await tableShows(page, BUILDS.slice(0, 25));
    expect(query(page)).toEqual({ q: 'build', sort: 'name' });
    await page.goBack();
    expect(query(page)).toEqual({ q: 'build' });
    expect(await page.getByTestId('search').inputValue()).toBe('build');
    await page.goBack();
    await page.waitForURL(`${server.url}/resources`);
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=search]') as HTMLInputElement | null)?.value === '',
    );
    await page.goForward();
    await page.goForward();
    await page.goForward();
    await page.waitForURL(/page=2/);
    expect(query(page)).toEqual({ q: 'build', sort: 'name', page: '2' });
    await tableShows(page, BUILDS.slice(25));
  });

  it('goes from a detail page back to the same search, sort and page with "All resources"', async () => {
    await page.goto(`${server.url}/resources?q=build&sort=name&page=2`);
    await tableShows(page, BUILDS.slice(25));
    await page.getByRole('link', { name: 'build-27' }).click();
    await page.getByTestId('resource-name').waitFor();
    await page.getByTestId('all-resources').click();
    await page.waitForURL(/\/resources\?/);
    expect(query(page)).toEqual({ q: 'build', sort: 'name', page: '2' });
    await tableShows(page, BUILDS.slice(25));
  });

  it('says a page past the end is, and offers the last page', async () => {
    await page.goto(`${server.url}/resources?page=999`);
    await page.getByTestId('past-end-state').waitFor();
    const state = (await page.getByTestId('past-end-state').textContent())?.replace(/\s+/g, ' ');
    expect(state).toContain('There is no page 999: the resources fill 2 pages.');
    expect((await page.locator('.mat-mdc-paginator-range-label').textContent())?.trim()).toBe(
      'Page 999 of 2: past the end',
    );
    await shot(page, '07-past-the-end');
    await page.getByRole('button', { name: 'Go to the last page (2)' }).click();
    await page.waitForURL(/page=2$/);
    await rows(page).nth(5).waitFor();
    expect(await rows(page).count()).toBe(6);
    // The dead entry was replaced, not kept: Back goes to the page before it.
    await page.goBack();
    await page.waitForURL(/q=build/);
    expect(query(page)).toEqual({ q: 'build', sort: 'name', page: '2' });
  });

  it('says a missing resource does not exist, with no retry, and links back', async () => {
    await page.goto(`${server.url}/resources/${ids.get('build-01')!.replace(/^.{8}/, '00000000')}`);
    await page.getByTestId('not-found-state').waitFor();
    expect(await page.getByTestId('not-found-state').textContent()).toContain('This resource does not exist');
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    await shot(page, '08-missing-resource');
    await page.getByRole('link', { name: 'Back to all resources' }).click();
    await page.waitForURL(/\/resources(\?|$)/);
    await rows(page).first().waitFor();
  });

  it('says "1 node", not "1 nodes", on the dashboard', async () => {
    // The built-in seed is the one node online.
    expect((await admin.get('/api/admin/stats')).body.onlineNodes).toBe(1);
    await page.goto(`${server.url}/dashboard`);
    await page.getByTestId('online-seeds').waitFor();
    expect((await page.locator('.metric .sub').first().textContent())?.trim()).toBe('1 node online in all');
    await page.waitForTimeout(300); // Chart.js draws
    await shot(page, '09-dashboard');
  });

  it('logs no errors in the browser console', () => {
    expect(consoleErrors).toEqual([]);
  });
});
