// README's page without a bundler, as written there: the packed package installed into a fresh
// folder, README's index.html and app.js beside it, served with a strict Content-Security-Policy on
// every response and COOP/COEP, then opened in Debian's Chromium.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../tools/chromium.js';
import { startStaticServer } from '../tools/static-server.js';
import { chromiumAvailable, chromiumSkipNote, PACKAGE_ROOT as ROOT } from './chromium-fixture.js';
import { installInto, packInto } from './packed.js';

/** The first ```html and ```js blocks of README's section `heading`. */
function readmePage(heading: string): { html: string; js: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const block = (language: string) => new RegExp('```' + language + '\n([\\s\\S]*?)```').exec(section)![1];
  return { html: block('html'), js: block('js') };
}

describe.skipIf(!chromiumAvailable())("README's page without a bundler (npm pack, strict CSP)" + chromiumSkipNote(), () => {
  const work = mkdtempSync(join(tmpdir(), 'alexnet-web-static-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('works as written: the element and app.js both classify from node_modules, with no inline script', async () => {
    const tarball = await packInto(work);
    const site = join(work, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'package.json'), JSON.stringify({ name: 'static-site', private: true }));
    await installInto(site, tarball);
    const { html, js } = readmePage('Pages without a bundler');
    writeFileSync(join(site, 'index.html'), html);
    writeFileSync(join(site, 'app.js'), js);

    const server = await startStaticServer(site, 0, { strictCsp: true });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(String(error)));
      page.on('console', (message) => {
        if (/Content.Security.Policy|Refused/i.test(message.text())) problems.push(message.text());
      });
      await page.goto(`${server.origin}/index.html`);
      await page.waitForFunction(() => document.getElementById('answer')?.textContent, { timeout: 60_000 });
      await page.waitForFunction(() => document.querySelector('alexnet-classifier')?.shadowRoot?.querySelector('[part~="label"]'), { timeout: 60_000 });
      const shown = await page.evaluate(() => ({
        answer: document.getElementById('answer')!.textContent,
        element: document.querySelector('alexnet-classifier')!.shadowRoot!.querySelector('[part~="label"]')!.textContent,
        isolated: crossOriginIsolated,
      }));
      expect(problems).toEqual([]);
      expect(shown).toEqual({ answer: expect.stringMatching(/^Sandal \d+\.\d%$/), element: 'Sneaker', isolated: true });
      // Everything came from the site's own node_modules.
      expect(server.requests.some((r) => r.path === '/node_modules/alexnet-web/models/fashion-alexnet-mini.safetensors')).toBe(true);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 300_000);
});
