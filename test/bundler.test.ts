// examples/bundler as a user builds it: `npm pack` of this repository installed into a copy of the
// example, built with Vite, served, and run in Debian's Chromium. Proves the worker, wasm and weights
// URLs survive a bundler.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../tools/chromium.js';
import { startStaticServer } from '../tools/static-server.js';
import { chromiumAvailable, PACKAGE_ROOT as ROOT } from './chromium-fixture.js';

const run = promisify(execFile);

describe.skipIf(!chromiumAvailable())('examples/bundler (npm pack + Vite)', () => {
  const work = mkdtempSync(join(tmpdir(), 'alexnet-web-bundler-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs the packed package, builds with Vite and classifies with the API and the element', async () => {
    // The package as npm would publish it (dist/ must be built: npm test builds first).
    const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT });
    const tarball = join(work, stdout.trim().split('\n').pop()!);
    const app = join(work, 'app');
    cpSync(new URL('../examples/bundler/', import.meta.url), app, { recursive: true });
    // Its dependencies come from the npm cache `npm ci` filled; Vite is this repository's.
    await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball], { cwd: app });
    await run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: app });
    const built = readdirSync(join(app, 'dist/assets'));
    expect(built.some((file) => file.endsWith('.wasm'))).toBe(true);
    expect(built.some((file) => file.endsWith('.safetensors'))).toBe(true);
    expect(built.some((file) => /^worker-.*\.js$/.test(file))).toBe(true);

    const server = await startStaticServer(join(app, 'dist'));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(`${server.origin}/`);
      await page.waitForFunction(() => document.body.dataset.apiResult !== undefined, { timeout: 60_000 });
      await page.waitForFunction(() => document.querySelector('alexnet-classifier')?.shadowRoot?.querySelector('[part~="label"]'), { timeout: 60_000 });
      const shown = await page.evaluate(() => ({
        api: document.getElementById('api')!.textContent,
        element: document.querySelector('alexnet-classifier')!.shadowRoot!.querySelector('[part~="label"]')!.textContent,
      }));
      expect(errors).toEqual([]);
      expect(shown.api).toMatch(/^Sneaker \(\d+\.\d%\) on wasm$/);
      expect(shown.element).toBe('Sneaker');
      // Every request stayed on the app's own server, inside its build.
      expect(server.requests.filter((r) => r.path.endsWith('.wasm')).length).toBeGreaterThan(0);
      expect(server.requests.some((r) => r.path.endsWith('.safetensors'))).toBe(true);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 300_000);
});
