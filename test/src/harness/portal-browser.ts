/**
 * The built portal in Debian's Chromium (playwright-core), for suites that click through
 * it as a user would: the browser, signing in, and screenshots a person looks at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './server.js';

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

/** Chromium, once the portal is known to be built (the server serves it from its dist). */
export async function launchPortalBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set SHOAL_CHROMIUM)`);
  }
  if (!existsSync(PORTAL_INDEX)) {
    throw new Error(`the portal is not built (${PORTAL_INDEX}); run npm run build first`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** Signs in on the login page, as a person types it, and waits for the catalog. */
export async function signIn(page: Page, serverUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${serverUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/resources/);
}

/** Full-page screenshots under test-results/<folder>/<name>.png. */
export function screenshots(folder: string): (page: Page, name: string) => Promise<void> {
  const dir = join(REPO_ROOT, 'test-results', folder);
  mkdirSync(dir, { recursive: true });
  return async (page, name) => {
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  };
}
