// The main browser scenarios in Debian's Firefox ESR (WebDriver BiDi through puppeteer-core): the
// engine in its worker answers as Node does, progress, the offline cache, a strict CSP, the element.
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFirefox, launchFirefox } from '../tools/firefox.js';
import { startStaticServer, type StaticServer } from '../tools/static-server.js';
import { createClassifier as createNodeClassifier } from '../src/node/index.js';
import { PACKAGE_ROOT } from './chromium-fixture.js';

/** Whether Firefox is here. CI installs it (.ci/run), so there a missing one fails instead of skipping. */
function firefoxAvailable(): boolean {
  const found = findFirefox() !== undefined;
  if (!found && process.env.CI) throw new Error('CI needs Firefox for the Firefox tests: apt-get install -y firefox-esr');
  return found;
}

interface PageRun {
  top: { label: string; score: number }[];
  reason: readonly string[];
  threads: number;
  progress: { loadedBytes: number; totalBytes: number | null; phase: string }[];
  cached: boolean;
  secondLoadRequests?: number;
}

describe.skipIf(!firefoxAvailable())(`Firefox ESR${firefoxAvailable() ? '' : ' (skipped: no Firefox here; apt-get install firefox-esr)'}`, () => {
  let browser: Browser;
  let server: StaticServer;
  beforeAll(async () => {
    server = await startStaticServer(PACKAGE_ROOT);
    browser = await launchFirefox();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(origin: string, path: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${origin}${path}`);
    return page;
  }

  const elementAnswer = (page: Page) =>
    page
      .waitForFunction(() => document.querySelector('alexnet-classifier')?.shadowRoot?.querySelector('[part~="label"], [part~="error"]:not([hidden])'), { timeout: 60_000 })
      .then(() => page.evaluate(() => {
        const root = document.querySelector('alexnet-classifier')!.shadowRoot!;
        return { label: root.querySelector('[part~="label"]')?.textContent, status: root.querySelector('[part~="status"]')!.textContent, error: root.querySelector('[part~="error"]')!.textContent };
      }));

  it('classifies in its worker as Node does, with monotonic progress, and keeps the weights for offline use', async () => {
    const image = fileURLToPath(new URL('../examples/images/sandal.png', import.meta.url));
    const node = await createNodeClassifier({ relaxedSimd: false, threads: 1 });
    const expected = await node.classify(image, { topK: 5 });
    await node.dispose();
    const page = await open(server.origin, '/examples/basic/');
    const weightRequests = () => server.requests.filter((r) => r.path === '/models/fashion-alexnet-mini.safetensors').length;
    // Strings, not functions: vitest would rewrite a function's import() for Node.
    const seen = (await page.evaluate(`(async () => {
      const { createClassifier, clearWeightsCache } = await import('/dist/browser.js');
      await clearWeightsCache();
      const progress = [];
      const classifier = await createClassifier({ relaxedSimd: false, onProgress: (p) => progress.push({ loadedBytes: p.loadedBytes, totalBytes: p.totalBytes, phase: p.phase }) });
      const top = await classifier.classify('/examples/images/sandal.png', { topK: 5 });
      const cached = await classifier.whenCached();
      const run = { top, reason: classifier.backendReason, threads: classifier.threads, progress, cached };
      await classifier.dispose();
      return run;
    })()`)) as PageRun;
    console.log('Firefox backendReason:', seen.reason);
    expect(seen.top.map((c) => c.label)).toEqual(expected.map((c) => c.label));
    seen.top.forEach((c, i) => expect(c.score).toBeCloseTo(expected[i].score, 5));
    expect(seen.threads).toBe(2);
    const loaded = seen.progress.map((p) => p.loadedBytes);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(seen.progress.at(-1)).toMatchObject({ phase: 'done', loadedBytes: seen.progress.at(-1)!.totalBytes });
    expect(seen.cached).toBe(true);
    // A second load reads the Cache API copy: no request for the weights.
    const before = weightRequests();
    const again = (await page.evaluate(`(async () => {
      const { createClassifier } = await import('/dist/browser.js');
      const classifier = await createClassifier();
      const [best] = await classifier.classify('/examples/images/sandal.png');
      await classifier.dispose();
      return best.label;
    })()`)) as string;
    expect(again).toBe(expected[0].label);
    expect(weightRequests()).toBe(before);
    await page.close();
  }, 120_000);

  it('runs the element, also under a strict Content-Security-Policy on every response', async () => {
    const page = await open(server.origin, '/examples/basic/');
    expect(await elementAnswer(page)).toMatchObject({ label: 'Sneaker', status: expect.stringMatching(/^wasm · int8 · 2 threads · \d+ ms$/), error: '' });
    await page.close();
    const strict = await startStaticServer(PACKAGE_ROOT, 0, { strictCsp: true });
    try {
      const csp = await open(strict.origin, '/examples/basic/');
      expect(await elementAnswer(csp)).toMatchObject({ label: 'Sneaker', error: '' });
      await csp.close();
    } finally {
      await strict.close();
    }
  }, 120_000);
});
