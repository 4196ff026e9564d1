// The examples as users run them: api/ and pwa/ in Debian's Chromium (the PWA offline, then updated to
// new weights), node/ as a script. examples/basic is tested with the element (element.test.ts).
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { startStaticServer } from '../tools/static-server.js';
import { chromiumAvailable, chromiumSkipNote, chromiumFixture, openPage, PACKAGE_ROOT } from './chromium-fixture.js';
import { packInto } from './packed.js';

const run = promisify(execFile);

declare global {
  interface Window {
    seenResults: { labels: string[]; weights: string | null; threads: number }[];
  }
}

// Every result an element sends, from the first script on, with the weights it used.
const RECORD_RESULTS = `
  window.seenResults = [];
  document.addEventListener('result', (event) => {
    window.seenResults.push({ labels: event.detail.results.map((r) => r.label), weights: event.target.getAttribute('weights'), threads: event.detail.threads });
  });
`;

describe('npm start (tools/serve-examples.ts)', () => {
  it('lists only examples that open from its server, each answering with its page; a bundler example says how it runs', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../tools/serve-examples.ts', import.meta.url))], { env: { ...process.env, PORT: '0' } });
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk) => {
          output += chunk;
          if (/bundler .*README/.test(output)) resolve();
        });
        child.once('exit', () => reject(new Error(`exited: ${output}`)));
      });
      const urls = [...output.matchAll(/^\s+(\w+)\s+(http:\S+)$/gm)].map((m) => ({ name: m[1], url: m[2] }));
      expect(urls.map((u) => u.name).sort()).toEqual(['api', 'basic', 'pwa']);
      for (const { url } of urls) expect((await fetch(url)).status, url).toBe(200);
      expect(output).toMatch(/^\s+bundler\s+\(built with its bundler: see examples\/bundler\/README\.md\)$/m);
    } finally {
      child.kill();
    }
  });
});

describe('examples/node', () => {
  it('classifies every image of a folder with the demo model', async () => {
    const { stdout } = await run(process.execPath, [fileURLToPath(new URL('../examples/node/classify-folder.mjs', import.meta.url))]);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^fashion-alexnet-mini on wasm$/);
    expect(lines.slice(1).map((line) => line.split(':')[0])).toEqual(['ankle-boot.png', 'dress.png', 'sandal.png', 'sneaker.png', 't-shirt-top.png', 'trouser.png']);
    // Each sample is a test image of its class, and the model gets these right.
    for (const line of lines.slice(1)) {
      const [file, answer] = line.split(': ');
      const expected = { 'ankle-boot.png': 'Ankle boot', 'dress.png': 'Dress', 'sandal.png': 'Sandal', 'sneaker.png': 'Sneaker', 't-shirt-top.png': 'T-shirt/top', 'trouser.png': 'Trouser' }[file];
      expect(answer.startsWith(`${expected} `)).toBe(true);
    }
  });
});

describe.skipIf(!chromiumAvailable())('examples in Chromium' + chromiumSkipNote(), () => {
  const chromium = chromiumFixture();

  const open = (url: string): Promise<Page> => openPage(chromium.browser, url, RECORD_RESULTS);

  it('api/: loads with progress, names its backend and lists the top 5', async () => {
    const page = await open(`${chromium.server.origin}/examples/api/`);
    await page.waitForFunction(() => document.querySelectorAll('#results li').length === 5, { timeout: 60_000 });
    const shown = await page.evaluate(() => ({
      first: document.querySelector('#results li')!.textContent,
      backend: document.getElementById('backend-info')!.textContent,
      progress: (document.getElementById('progress') as HTMLProgressElement).value,
      timing: document.getElementById('timing')!.textContent,
      error: document.getElementById('error')!.textContent,
    }));
    expect(shown.first).toMatch(/^Sandal: \d+\.\d%$/);
    expect(shown.backend).toMatch(/^Backend: wasm \(webgpu: skipped, .*; wasm: selected, .*; wasm: 2 threads \(every core: 2 reported\)\)$/);
    expect(shown.progress).toBe(1);
    expect(shown.timing).toMatch(/^classify: \d+\.\d ms on wasm$/);
    expect(shown.error).toBe('');
    await page.close();
  });

  it('pwa/ copied out of the repository runs after the one step its README gives, from the packed package', async () => {
    const work = mkdtempSync(join(tmpdir(), 'alexnet-web-pwa-'));
    try {
      const tarball = await packInto(work);
      const app = join(work, 'pwa');
      cpSync(new URL('../examples/pwa/', import.meta.url), app, { recursive: true });
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pwa-copy', private: true }));
      // README's step, with the packed package in place of the registry's.
      const step = /```sh\n([\s\S]*?)```/.exec(readFileSync(new URL('../examples/pwa/README.md', import.meta.url), 'utf8'))![1].trim();
      await run('bash', ['-c', step.replace('npm install alexnet-web', `npm install --no-save --no-audit --no-fund --prefer-offline --ignore-scripts ${tarball}`)], { cwd: app });
      const server = await startStaticServer(app);
      try {
        const page = await open(`${server.origin}/index.html`);
        await page.waitForFunction(() => window.seenResults.length > 0, { timeout: 60_000 });
        const seen = await page.evaluate(() => ({ labels: window.seenResults[0].labels, controlled: !!navigator.serviceWorker.controller }));
        expect(seen).toEqual({ labels: expect.arrayContaining(['T-shirt/top']), controlled: true });
        // Nothing was fetched from outside the app's folder.
        expect(server.requests.filter((r) => r.path.startsWith('/..') || r.path.startsWith('/examples/'))).toEqual([]);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 240_000);

  it('pwa/: installs, works with the server stopped, and takes a new weights version when back online', async () => {
    // Its own server, so it can stop and come back on the same origin.
    let pwaServer = await startStaticServer(PACKAGE_ROOT);
    const port = Number(new URL(pwaServer.origin).port);
    const page = await open(`${pwaServer.origin}/examples/pwa/`);
    await page.waitForFunction(() => window.seenResults.length > 0, { timeout: 60_000 });
    const installed = await page.evaluate(async () => {
      const cache = await caches.open('alexnet-pwa-v1');
      return { controlled: !!navigator.serviceWorker.controller, cached: (await cache.keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search) };
    });
    expect(installed.controlled).toBe(true);
    const builtFiles = JSON.parse(readFileSync(new URL('../dist/browser-files.json', import.meta.url), 'utf8')) as string[];
    expect(installed.cached).toEqual(expect.arrayContaining([
      '/examples/pwa/', '/examples/pwa/app.js', '/examples/pwa/manifest.webmanifest', '/examples/pwa/models/fashion-alexnet-mini.safetensors?v=1',
      ...builtFiles.map((file) => `/examples/pwa/alexnet-web/${file}`),
    ]));
    expect(builtFiles).toEqual(expect.arrayContaining(['element.js', 'worker.js', 'alexnet-web.wasm', 'alexnet-web-relaxed.wasm']));
    const online = await page.evaluate(() => window.seenResults[0]);
    expect(online.labels[0]).toBe('T-shirt/top');
    // The app's pages are cross-origin isolated (COOP/COEP), and stay so offline: the service worker
    // keeps those headers with the responses.
    // On failure, say why (the classifier's reasons).
    const reasons = await page.evaluate(() => (document.querySelector('alexnet-classifier') as (Element & { classifier?: { backendReason: readonly string[] } }) | null)?.classifier?.backendReason.join('; ') ?? '');
    expect(online.threads, reasons).toBe(2);

    // Offline: nothing answers on that port any more.
    await pwaServer.close();
    await page.reload();
    await page.waitForFunction(() => window.seenResults.length > 0, { timeout: 60_000 });
    const offline = await page.evaluate(() => ({ result: window.seenResults[0], status: document.getElementById('status')!.textContent }));
    expect(offline.result).toEqual(online);
    expect(offline.status).toMatch(/^Version 1/);

    // Back online with version 2 of the app, which names new weights: it installs, takes over and drops version 1.
    pwaServer = await startStaticServer(PACKAGE_ROOT, port);
    const sw = readFileSync(new URL('../examples/pwa/sw.js', import.meta.url), 'utf8');
    pwaServer.files.set('/examples/pwa/sw.js', new TextEncoder().encode(sw.replace("const VERSION = '1';", "const VERSION = '2';")));
    await page.reload();
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Version 2') && window.seenResults.length > 0, { timeout: 60_000 });
    const updated = await page.evaluate(async () => ({ result: window.seenResults[0], caches: (await caches.keys()).filter((name) => name.startsWith('alexnet-pwa-')) }));
    expect(updated.result.weights).toMatch(/fashion-alexnet-mini\.safetensors\?v=2$/);
    expect(updated.result.labels[0]).toBe('T-shirt/top');
    expect(updated.caches).toEqual(['alexnet-pwa-v2']);
    expect(pwaServer.requests.some((r) => r.path === '/examples/pwa/models/fashion-alexnet-mini.safetensors' && r.query === '?v=2')).toBe(true);
    await page.close();
    await pwaServer.close();
  });
});
