/**
 * "Send to my machine" in a real browser, as a member and an admin click it: a member
 * whose laptop runs `shoal serve` (enrolled with a download folder) opens a resource,
 * sends it to the laptop, and watches My downloads reach Done while the file lands in the
 * folder; sends another to a machine that is off, and cancels it; a user with no machine
 * is guided to set one up; the admin finds the request in the audit log. Screenshots land
 * in test-results/portal-send-to-machine/.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Agent, type ShoalProcess } from './harness/agents.js';
import { Api } from './harness/api-client.js';
import { launchPortalBrowser, screenshots, signIn } from './harness/portal-browser.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from './harness/server.js';
import { uploadedId } from './harness/uploads.js';
import { until } from './harness/wait.js';

const MIA = { username: 'mia', password: 'member-password-1' };
const NOOR = { username: 'noor', password: 'member-password-2' };
const shot = screenshots('portal-send-to-machine');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('send to my machine in a browser', () => {
  let server: RunningServer;
  let admin: Api;
  let browser: Browser;
  const running: ShoalProcess[] = [];
  const content = randomBytes(4 * 1024 * 1024 + 321);
  const downloads = mkdtempSync(join(tmpdir(), 'shoal-portal-downloads-'));
  const consoleErrors: string[] = [];
  let resourceId: string;
  let secondId: string;

  async function enrollLaptop(name: string, serve: boolean): Promise<string> {
    const agent = new Agent(name);
    await agent.login(server.url, MIA.username, MIA.password);
    const args = ['enroll', '--server', server.url, '--name', name, '--listen', '127.0.0.1:0', '--json'];
    const res = await agent.run(serve ? [...args, '--download-dir', downloads] : args);
    expect(res.code).toBe(0);
    if (serve) running.push(agent.spawn(['serve', '--json']));
    return JSON.parse(res.stdout.trim()).nodeId as string;
  }

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
    });
    return page;
  }

  /** From the catalog, as a person finds it: the resource's name in the table. */
  async function openResource(page: Page, name: string) {
    await page.getByRole('navigation').getByRole('link', { name: 'Resources' }).click();
    await page.getByRole('link', { name, exact: true }).click();
    await page.getByTestId('resource-name').filter({ hasText: name }).waitFor();
  }

  beforeAll(async () => {
    server = await startServer({ db: 'sqlite' });
    admin = await new Api(server.url).login('admin', ADMIN_PASSWORD);
    for (const u of [MIA, NOOR])
      expect((await admin.post('/api/admin/users', { ...u, role: 'member' })).status).toBe(201);
    resourceId = await uploadedId(
      server.url,
      admin.token!,
      { name: 'Design handbook', filename: 'handbook.pdf' },
      content,
    );
    secondId = await uploadedId(
      server.url,
      admin.token!,
      { name: 'Training videos', filename: 'videos.bin' },
      randomBytes(200_000),
    );
    const laptop = await enrollLaptop('mia-laptop', true);
    await enrollLaptop('mia-desktop', false);
    const mia = await new Api(server.url).login(MIA.username, MIA.password);
    await until(
      'the laptop online',
      async () =>
        (await mia.get('/api/me/nodes')).body.some((n: { id: string; online: boolean }) => n.id === laptop && n.online),
      { timeoutMs: 30_000, intervalMs: 300 },
    );
    browser = await launchPortalBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.destroy();
  });

  it('a member sends a resource to their laptop and watches it arrive under My downloads', async () => {
    const page = await newPage();
    await signIn(page, server.url, MIA.username, MIA.password);
    await openResource(page, 'Design handbook');
    await shot(page, '01-resource-with-send-button');

    await page.getByTestId('send-to-machine').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('machine-list').waitFor();
    const machines = (await dialog.locator('mat-radio-button').allTextContents()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
    expect(machines).toEqual(['mia-desktop · offline', 'mia-laptop · online']);
    await dialog.getByRole('radio', { name: /mia-laptop/ }).check();
    await page.waitForFunction(() => !!document.activeElement?.closest('[role=dialog]'));
    await shot(page, '02-send-dialog');
    await dialog.getByTestId('send').click();
    await page.getByText('Sent “Design handbook” to mia-laptop').waitFor();
    await shot(page, '03-sent-snack');

    await page.getByRole('navigation').getByRole('link', { name: 'My downloads' }).click();
    await page.waitForURL(/\/my-downloads/);
    const row = page.getByTestId('request-row').filter({ hasText: 'Design handbook' });
    await row.getByTestId('request-state').filter({ hasText: 'Done' }).waitFor({ timeout: 90_000 });
    expect(await row.getByTestId('request-node').textContent()).toContain('mia-laptop');
    expect(await row.getByTestId('request-bytes').textContent()).toContain('100%');
    expect(await row.getByTestId('cancel-request').count()).toBe(0);
    await shot(page, '04-my-downloads-done');
    expect(sha(readFileSync(join(downloads, 'Design handbook', 'handbook.pdf')))).toBe(sha(content));

    // The resource link leads back to its page.
    await row.getByTestId('request-resource').click();
    await page.waitForURL(new RegExp(`/resources/${resourceId}$`));
    await page.close();
  }, 180_000);

  it('My downloads reads on a phone without scrolling sideways', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await phone.newPage();
    await signIn(page, server.url, MIA.username, MIA.password);
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'My downloads' }).click();
    await page.waitForURL(/\/my-downloads/);
    const row = page.getByTestId('request-row').filter({ hasText: 'Design handbook' });
    await row.getByTestId('request-state').filter({ hasText: 'Done' }).waitFor();
    expect(await row.textContent()).toContain('to mia-laptop');
    // The drawer closed after the click; wait for it to be gone before measuring.
    await page.locator('mat-sidenav').waitFor({ state: 'hidden' });
    const sideways = await page.evaluate(() =>
      [document.scrollingElement!, ...document.querySelectorAll<HTMLElement>('body *')]
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .filter((el) => el === document.scrollingElement || /auto|scroll/.test(getComputedStyle(el).overflowX))
        .filter((el) => !el.classList.contains('table-wrap'))
        .map((el) => el.tagName.toLowerCase()),
    );
    expect(sideways).toEqual([]);
    await shot(page, '04b-my-downloads-phone');
    await phone.close();
  }, 60_000);

  it('a member sends to a machine that is off, sees it waiting, and cancels it', async () => {
    const page = await newPage();
    await signIn(page, server.url, MIA.username, MIA.password);
    await openResource(page, 'Training videos');
    await page.getByTestId('send-to-machine').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('radio', { name: /mia-desktop/ }).check();
    await dialog.getByTestId('offline-note').waitFor();
    await shot(page, '05-send-to-offline-machine');
    await dialog.getByTestId('send').click();
    await page.getByRole('button', { name: 'My downloads' }).click();
    await page.waitForURL(/\/my-downloads/);

    const row = page.getByTestId('request-row').filter({ hasText: 'Training videos' });
    expect(await row.getByTestId('request-state').textContent()).toContain('Waiting for the machine');
    await shot(page, '06-my-downloads-waiting');
    await row.getByTestId('cancel-request').click();
    await row.getByTestId('request-state').filter({ hasText: 'Cancelled' }).waitFor();
    await shot(page, '07-my-downloads-cancelled');
    const mia = await new Api(server.url).login(MIA.username, MIA.password);
    const requests = (await mia.get('/api/me/download-requests')).body.items;
    expect(requests.find((r: { resourceId: string }) => r.resourceId === secondId).state).toBe('cancelled');
    await page.close();
  }, 120_000);

  it('a member with no machine is guided to set one up or to fetch it by command', async () => {
    const page = await newPage();
    await signIn(page, server.url, NOOR.username, NOOR.password);
    await openResource(page, 'Design handbook');
    await page.getByTestId('send-to-machine').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('no-machines').waitFor();
    // How to get the agent: this server hands one out, or says it has none.
    await dialog.getByTestId('install-command').or(dialog.getByTestId('agent-missing')).waitFor();
    expect(await dialog.getByTestId('login-command').textContent()).toContain(
      `shoal login --server ${server.url} --user noor`,
    );
    expect(await dialog.getByTestId('enroll-command').textContent()).toContain('--download-dir');
    expect(await dialog.getByTestId('dialog-get-command').textContent()).toContain(`shoal get ${resourceId}`);
    expect(await dialog.getByTestId('send').count()).toBe(0);
    // Material focuses the dialog once its opening animation is over: shoot it then.
    await page.waitForFunction(() => !!document.activeElement?.closest('[role=dialog]'));
    await shot(page, '08-no-machine-guidance');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.close();
  }, 60_000);

  it('an admin finds the requests in the audit log', async () => {
    const page = await newPage();
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    const sent = page.getByRole('row').filter({ hasText: 'Sent a resource to a machine' });
    await sent.first().waitFor();
    expect(await sent.count()).toBe(2);
    expect(await sent.first().textContent()).toContain('mia');
    await page.getByRole('row').filter({ hasText: 'Cancelled a download sent to a machine' }).waitFor();
    await shot(page, '09-admin-audit-log');
    await page.close();
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
