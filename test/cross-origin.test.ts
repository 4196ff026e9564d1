// The package served from another origin than the page (a CDN, an app on another port), in
// Chromium: the engine's worker starts through a blob: module that imports it, and where the page's
// Content-Security-Policy forbids blob: workers the engine runs on the page's thread, saying why.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../tools/chromium.js';
import { startStaticServer, type StaticServer } from '../tools/static-server.js';
import { chromiumAvailable, chromiumSkipNote, PACKAGE_ROOT } from './chromium-fixture.js';

interface Seen {
  top: string;
  reason: readonly string[];
  threads: number;
  element: string;
  errors: string[];
}

describe.skipIf(!chromiumAvailable())('the package on another origin (Chromium)' + chromiumSkipNote(), () => {
  let cdn: StaticServer;
  const site = mkdtempSync(join(tmpdir(), 'alexnet-web-site-'));
  beforeAll(async () => {
    cdn = await startStaticServer(PACKAGE_ROOT, 0, { cors: true });
    mkdirSync(site, { recursive: true });
    writeFileSync(join(site, 'index.html'), `<!doctype html>
<script type="module" src="${cdn.origin}/dist/element.js"></script>
<script type="module" src="./app.js"></script>
<alexnet-classifier src="${cdn.origin}/examples/images/sneaker.png" top-k="1"></alexnet-classifier>`);
    writeFileSync(join(site, 'app.js'), `import { createClassifier } from '${cdn.origin}/dist/browser.js';
const classifier = await createClassifier();
const [best] = await classifier.classify('${cdn.origin}/examples/images/sandal.png');
window.seen = { top: best.label, reason: classifier.backendReason, threads: classifier.threads };`);
  });
  afterAll(async () => {
    await cdn?.close();
    rmSync(site, { recursive: true, force: true });
  });

  async function visit(contentSecurityPolicy?: string): Promise<Seen> {
    const server = await startStaticServer(site, 0, { contentSecurityPolicy });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(`${server.origin}/index.html`);
      await page.waitForFunction(() => (window as unknown as { seen?: unknown }).seen, { timeout: 60_000 });
      await page.waitForFunction(() => document.querySelector('alexnet-classifier')?.shadowRoot?.querySelector('[part~="label"], [part~="error"]:not([hidden])'), { timeout: 60_000 });
      const seen = await page.evaluate(() => {
        const root = document.querySelector('alexnet-classifier')!.shadowRoot!;
        return { ...(window as unknown as { seen: Omit<Seen, 'element' | 'errors'> }).seen, element: (root.querySelector('[part~="label"]') ?? root.querySelector('[part~="error"]'))!.textContent! };
      });
      return { ...seen, errors };
    } finally {
      await browser.close();
      await server.close();
    }
  }

  it('starts the engine worker through a blob: module and classifies as from its own origin', async () => {
    const seen = await visit();
    expect(seen.errors).toEqual([]);
    expect(seen.top).toBe('Sandal');
    expect(seen.element).toBe('Sneaker');
    expect(seen.reason[0]).toMatch(/^worker: the package is on another origin \(http:\/\/127\.0\.0\.1:\d+\) than the page .*: started through a blob: module/);
    // The helper threads start the same way.
    expect(seen.threads).toBe(2);
  }, 120_000);

  it('runs on the page thread, saying why, where the page forbids blob: workers', async () => {
    const policy = `default-src 'self' ${cdn.origin}; script-src 'self' ${cdn.origin} 'wasm-unsafe-eval'; worker-src 'self'; img-src 'self' blob: ${cdn.origin}`;
    const seen = await visit(policy);
    expect(seen.errors).toEqual([]);
    expect(seen.top).toBe('Sandal');
    expect(seen.element).toBe('Sneaker');
    expect(seen.reason[0]).toMatch(/^worker: none, the engine runs on the calling thread: the package is on another origin .* allow blob: in the page's worker-src, or serve the package from the page's origin$/);
  }, 120_000);
});
