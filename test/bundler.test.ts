// examples/bundler and examples/react as users build them: `npm pack` of this repository installed into
// a copy of the example, built with Vite, served, and run in Debian's Chromium. Proves the worker, wasm
// and weights URLs survive a bundler.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../tools/chromium.js';
import { startStaticServer, type StaticServer } from '../tools/static-server.js';
import { chromiumAvailable, chromiumSkipNote, PACKAGE_ROOT as ROOT } from './chromium-fixture.js';
import { installInto, packInto } from './packed.js';

const run = promisify(execFile);

describe.skipIf(!chromiumAvailable())('examples built with Vite from npm pack' + chromiumSkipNote(), () => {
  const work = mkdtempSync(join(tmpdir(), 'alexnet-web-bundler-'));
  let tarball: string;
  beforeAll(async () => {
    tarball = await packInto(work);
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Copies examples/`name`, installs the tarball and `packages` into it, builds it with Vite; the built files. */
  async function build(name: string, packages: string[] = []): Promise<{ app: string; built: string[] }> {
    const app = join(work, name);
    cpSync(new URL(`../examples/${name}/`, import.meta.url), app, { recursive: true });
    // Vite is this repository's.
    await installInto(app, tarball, packages);
    await run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: app });
    const built = readdirSync(join(app, 'dist/assets'));
    expect(built.some((file) => file.endsWith('.wasm'))).toBe(true);
    expect(built.some((file) => file.endsWith('.safetensors'))).toBe(true);
    expect(built.some((file) => /^worker-.*\.js$/.test(file))).toBe(true);
    return { app, built };
  }

  /** Serves the build, opens it, and hands the page to `check`; no page errors, and every request stayed on the app's server. */
  async function inChromium(app: string, check: (page: Page) => Promise<void>): Promise<StaticServer['requests']> {
    const server = await startStaticServer(join(app, 'dist'));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(`${server.origin}/`);
      await check(page);
      expect(errors).toEqual([]);
      return server.requests;
    } finally {
      await browser.close();
      await server.close();
    }
  }

  const elementLabel = (page: Page) =>
    page.waitForFunction(() => document.querySelector('alexnet-classifier')?.shadowRoot?.querySelector('[part~="label"]')?.textContent, { timeout: 60_000 }).then((handle) => handle.jsonValue());

  it('examples/bundler: classifies with the API and the element', async () => {
    const { app } = await build('bundler');
    const requests = await inChromium(app, async (page) => {
      await page.waitForFunction(() => document.body.dataset.apiResult !== undefined, { timeout: 60_000 });
      expect(await page.evaluate(() => document.getElementById('api')!.textContent)).toMatch(/^Sneaker \(\d+\.\d%\) on wasm$/);
      expect(await elementLabel(page)).toBe('Sneaker');
    });
    expect(requests.filter((r) => r.path.endsWith('.wasm')).length).toBeGreaterThan(0);
    expect(requests.some((r) => r.path.endsWith('.safetensors'))).toBe(true);
  }, 300_000);

  it('examples/react: the element in JSX and the API in an effect, with React 19', async () => {
    const { app } = await build('react', ['react@19', 'react-dom@19']);
    await inChromium(app, async (page) => {
      await page.waitForFunction(() => /on wasm$/.test(document.getElementById('api')?.textContent ?? ''), { timeout: 60_000 });
      expect(await page.evaluate(() => document.getElementById('api')!.textContent)).toMatch(/^Sneaker \(\d+\.\d%\) on wasm$/);
      expect(await elementLabel(page)).toBe('Sneaker');
    });
  }, 300_000);
});
