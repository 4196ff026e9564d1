// Shared setup of the suites that run in Debian's Chromium: a static server on the package root and a
// headless browser, started before a suite's tests and closed after.
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import { findChromium, launchChromium } from '../tools/chromium.js';
import { startStaticServer, type StaticServer } from '../tools/static-server.js';

export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Whether Chromium is here. CI installs it (.ci/run), so there a missing one fails instead of skipping. */
export function chromiumAvailable(): boolean {
  const found = findChromium() !== undefined;
  if (!found && process.env.CI) throw new Error('CI needs Chromium for the browser tests: apt-get install -y chromium');
  return found;
}

/** A new tab at `url` that logs page errors; `initScript` runs before the page's own scripts. */
export async function openPage(browser: Browser, url: string, initScript?: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  if (initScript) await page.evaluateOnNewDocument(initScript);
  await page.goto(url);
  return page;
}

/** Call inside a describe: its tests then find the server and the browser here. */
export function chromiumFixture(): { browser: Browser; server: StaticServer } {
  const fixture = {} as { browser: Browser; server: StaticServer };
  beforeAll(async () => {
    fixture.server = await startStaticServer(PACKAGE_ROOT);
    fixture.browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await fixture.browser?.close();
    await fixture.server?.close();
  });
  return fixture;
}
