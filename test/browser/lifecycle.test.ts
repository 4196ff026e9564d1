// A classifier's life in a page: how many threads and why, aborted and concurrent calls, bad images,
// dispose, and a strict Content-Security-Policy.
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClassifier as createNodeClassifier } from '../../src/node/index.js';
import { startStaticServer } from '../../tools/static-server.js';
import { chromiumAvailable, chromiumSkipNote, dedicatedWorkerThreads, openPage, PACKAGE_ROOT } from '../chromium-fixture.js';
import type { StaticServer } from '../../tools/static-server.js';
import { browserHarness, IMAGES, imagePath } from './harness.js';

describe.skipIf(!chromiumAvailable())('browser SDK in Chromium: threads, calls and dispose' + chromiumSkipNote(), () => {
  const h = browserHarness();
  let page: Page;
  let browser: Browser;
  let server: StaticServer;
  beforeAll(() => ({ page, browser, server } = h));

  it('runs on one thread in a page that is not cross-origin isolated, saying why, with the same results', async () => {
    const node = await createNodeClassifier({ threads: 1 });
    const expected = await node.classify(fileURLToPath(new URL(`../..${imagePath('dress')}`, import.meta.url)), { topK: 3 });
    node.dispose();
    const plain = await openPage(browser, `${server.origin}/test/browser/pages/harness.html?isolation=off`);
    await plain.waitForFunction(() => window.harnessReady === true);
    const got = await plain.evaluate(async (path) => {
      const results: Record<string, unknown> = { crossOriginIsolated };
      for (const worker of [true, false]) {
        const classifier = await window.alexnet.createClassifier({ cache: false, worker });
        results[worker ? 'worker' : 'main'] = { threads: classifier.threads, reason: classifier.backendReason.at(-1), top: await classifier.classify(path, { topK: 3 }) };
        classifier.dispose();
      }
      return results;
    }, imagePath('dress'));
    await plain.close();
    const oneThread = {
      threads: 1,
      reason: 'wasm: 1 thread: the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp or credentialless)',
      top: expected,
    };
    expect(got).toEqual({ crossOriginIsolated: false, worker: oneThread, main: oneThread });
  });

  it('continues on the threads that started when the helper script cannot load, saying why', async () => {
    server.missing.add('/dist/wasm-thread.js');
    try {
      const got = await page.evaluate(async (path) => {
        const classifier = await window.alexnet.createClassifier({ cache: false, threads: 3 });
        const result = { threads: classifier.threads, reason: classifier.backendReason.at(-1), top: await classifier.classify(path, { topK: 1 }) };
        classifier.dispose();
        return result;
      }, imagePath('trouser'));
      expect(got.threads).toBe(1);
      expect(got.reason).toMatch(/^wasm: 1 of 3 threads: helper thread 1 could not start: .*; helper thread 2 could not start: /);
      expect(got.top[0].label).toBe('Trouser');
    } finally {
      server.missing.delete('/dist/wasm-thread.js');
    }
  });

  it('aborts a classify call with AbortError and keeps the classifier usable', async () => {
    const result = await page.evaluate(async () => {
      const classifier = await window.alexnet.createClassifier({ cache: false });
      const controller = new AbortController();
      const pending = classifier.classify('/examples/images/dress.png', { signal: controller.signal });
      controller.abort();
      const outcome = await pending.then(() => 'resolved', (error) => error.name);
      const after = await classifier.classify('/examples/images/dress.png', { topK: 1 });
      classifier.dispose();
      return { outcome, label: after[0].label };
    });
    expect(result).toEqual({ outcome: 'AbortError', label: 'Dress' });
  });

  it('ends its worker and its helper threads on dispose', async () => {
    // Workers of earlier tests end once their dispose() has finished.
    await expect.poll(() => dedicatedWorkerThreads(browser), { timeout: 10_000 }).toBe(0);
    const threads = await page.evaluate(async () => {
      const classifier = await window.alexnet.createClassifier({ cache: false });
      (window as unknown as { held: unknown }).held = classifier;
      return classifier.threads;
    });
    // The engine's worker is the first thread; each other thread is a helper worker it started.
    expect(threads).toBe(2);
    await expect.poll(() => dedicatedWorkerThreads(browser), { timeout: 10_000 }).toBe(threads);
    await page.evaluate(() => (window as unknown as { held: { dispose(): void } }).held.dispose());
    await expect.poll(() => dedicatedWorkerThreads(browser), { timeout: 10_000 }).toBe(0);
  });

  it('resolves 100 concurrent classify calls, each with its own image\'s result', async () => {
    const result = await page.evaluate(async (paths) => {
      const classifier = await window.alexnet.createClassifier({ cache: false });
      const single = await Promise.all(paths.map(async (p) => (await classifier.classify(p, { topK: 1 }))[0]));
      const calls = Array.from({ length: 100 }, (_, i) => classifier.classify(paths[i % paths.length], { topK: 1 }));
      const all = (await Promise.all(calls)).map((r) => r[0]);
      classifier.dispose();
      return { single, all };
    }, IMAGES.map(imagePath));
    expect(new Set(result.single.map((s) => s.label)).size).toBe(IMAGES.length);
    result.all.forEach((got, i) => expect(got).toEqual(result.single[i % IMAGES.length]));
  });

  it('infers concurrent calls in the worker on copies of the caller\'s arrays, which stay theirs and unchanged', async () => {
    const result = await page.evaluate(async () => {
      const inWorker = await window.alexnet.createClassifier({ cache: false });
      const onPage = await window.alexnet.createClassifier({ cache: false, worker: false });
      const size = inWorker.inputShape.reduce((a, b) => a * b, 1);
      const random = (seed: number, length: number) => Float32Array.from({ length }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 2);
      // Plain arrays, a view into a larger buffer, a batch of two and one on shared memory.
      const larger = random(7, 3 * size);
      const shared = new Float32Array(new SharedArrayBuffer(size * 4));
      shared.set(random(8, size));
      const inputs = [...Array.from({ length: 6 }, (_, i) => random(i, size)), larger.subarray(size, 2 * size), random(9, 2 * size), shared];
      const before = inputs.map((input) => input.slice());
      const batchOf = (input: Float32Array) => input.length / size;
      const expected: number[][] = [];
      for (const input of inputs) expected.push(Array.from(await onPage.infer(input, { batch: batchOf(input) })));
      // Three rounds at once, so buffers come back and are reused while other calls are in flight.
      const calls = [0, 1, 2].flatMap(() => inputs.map((input) => inWorker.infer(input, { batch: batchOf(input) })));
      const got = (await Promise.all(calls)).map((output) => Array.from(output));
      const plainArray = await inWorker.infer([1, 2, 3] as unknown as Float32Array).then(() => 'resolved', (e) => e.code ?? e.name);
      inWorker.dispose();
      onPage.dispose();
      return {
        sameAsPage: got.every((output, i) => output.length === expected[i % inputs.length].length && output.every((v, j) => v === expected[i % inputs.length][j])),
        callerArraysUnchanged: inputs.every((input, i) => input.byteLength > 0 && input.every((v, j) => v === before[i][j])),
        plainArray,
      };
    });
    expect(result).toEqual({ sameAsPage: true, callerArraysUnchanged: true, plainArray: 'INPUT_SHAPE_MISMATCH' });
  });

  it('gives IMAGE_INVALID for an empty canvas, an undecodable Blob, a missing URL and an unsupported type; DISPOSED after dispose', async () => {
    const codes = await page.evaluate(async () => {
      const { createClassifier } = window.alexnet;
      const out: Record<string, string> = {};
      for (const worker of [true, false]) {
        const classifier = await createClassifier({ cache: false, worker });
        const inputs: Record<string, unknown> = {
          emptyCanvas: Object.assign(document.createElement('canvas'), { width: 0, height: 0 }),
          garbageBlob: new Blob([new Uint8Array([1, 2, 3, 4, 5])], { type: 'image/png' }),
          missingUrl: '/examples/images/no-such-image.png',
          unsupported: { hello: 'world' },
          zeroRgba: { data: new Uint8Array(0), width: 0, height: 0 },
        };
        for (const [name, input] of Object.entries(inputs)) {
          out[`${name}/${worker ? 'worker' : 'main'}`] = await classifier.classify(input as Blob).then(() => 'resolved', (e) => e.code ?? e.name);
        }
        classifier.dispose();
        out[`disposed/${worker ? 'worker' : 'main'}`] = await classifier.classify('/examples/images/dress.png').then(() => 'resolved', (e) => e.code);
      }
      return out;
    });
    for (const [name, code] of Object.entries(codes)) expect(code, name).toBe(name.startsWith('disposed') ? 'DISPOSED' : 'IMAGE_INVALID');
  });

  it('works with threads on a page with a strict Content-Security-Policy (no eval, no blob: workers), its workers under it too', async () => {
    // Every response carries the policy: the page, the engine's worker and its helper threads.
    const strictServer = await startStaticServer(PACKAGE_ROOT, 0, { strictCsp: true });
    const strict = await browser.newPage();
    try {
      const response = await strict.goto(`${strictServer.origin}/test/browser/pages/csp.html`);
      expect(response?.headers()['content-security-policy']).toContain("worker-src 'self'");
      await strict.waitForFunction(() => window.cspResult !== undefined, { timeout: 60_000 });
      const result = await strict.evaluate(() => window.cspResult!);
      expect(result.error).toBeUndefined();
      expect(result.violations).toEqual([]);
      expect(result.top?.[0].label).toBe('Sneaker');
      expect(result.threads).toBe(2);
      expect(strictServer.requests.map((r) => r.path)).toContain('/dist/wasm-thread.js');
    } finally {
      await strict.close();
      await strictServer.close();
    }
  });
});
