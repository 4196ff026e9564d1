// Shared setup of the suites that run in Debian's Chromium: a static server on the package root and a
// headless browser, started before a suite's tests and closed after.
import { readdirSync, readFileSync } from 'node:fs';
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

/** What a Chromium suite's title adds when it is skipped: why. */
export function chromiumSkipNote(): string {
  return chromiumAvailable() ? '' : ' (skipped: no Chromium here; apt-get install chromium)';
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

/** Processes descending from `root` (Linux /proc). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      // stat: "pid (comm) state ppid ...", comm may hold spaces: read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) for (const [pid, parent] of parents) if (parent === found[i]) found.push(pid);
  return found;
}

/**
 * Dedicated worker threads alive in `browser`'s processes, counted by the OS (threads named
 * "DedicatedWorker"): unlike page.workers(), nested workers that ended are never listed late.
 */
export function dedicatedWorkerThreads(browser: Browser): number {
  const root = browser.process()?.pid;
  if (!root) throw new Error('The browser process is not ours to inspect.');
  let count = 0;
  for (const pid of descendants(root)) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        if (readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim() === 'DedicatedWorker') count++;
      } catch {
        // The thread ended while we looked.
      }
    }
  }
  return count;
}
