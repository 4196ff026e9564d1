// The browser SDK in headless Chromium: the built dist/browser.js is loaded by a page served from
// 127.0.0.1 (COOP/COEP, Range support, cut and throttled responses) and driven through puppeteer.
// Node's results for the same files are the reference.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page, WebWorker } from 'puppeteer-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bvlcAlexNet, createClassifier as createNodeClassifier, type Classification, type NetworkSpec } from '../src/node/index.js';
import { convertOnnx } from '../src/convert/convert.js';
import { SMALL_SPEC } from './fixtures.js';
import { concatBytes } from './helpers.js';
import { BVLC_STYLE, buildOnnx, heInitialized } from './onnx-builder.js';
import { uniform } from './random.js';
import { startStaticServer, type StaticServer } from '../tools/static-server.js';
import { chromiumAvailable, chromiumFixture, dedicatedWorkerThreads, openPage, PACKAGE_ROOT } from './chromium-fixture.js';

type BrowserSdk = typeof import('../src/browser/index.js');
declare global {
  interface Window {
    alexnet: BrowserSdk;
    harnessReady?: boolean;
    cspResult?: { top?: { label: string; score: number }[]; threads?: number; error?: string; violations: string[] };
    gpuClassifier?: Awaited<ReturnType<BrowserSdk['createClassifier']>>;
  }
}

const MODEL_PATH = '/models/fashion-alexnet-mini.safetensors';
const MODEL_BYTES = readFileSync(new URL(`..${MODEL_PATH}`, import.meta.url)).byteLength;
const IMAGES = ['sneaker', 'trouser', 'dress', 'ankle-boot'];
const imagePath = (name: string) => `/examples/images/${name}.png`;

/** He-initialized weights for `spec` without its softmax, so the comparison sees logits, not saturated probabilities. */
function randomModel(spec: NetworkSpec, quantize: 'int8' | 'f32'): Uint8Array {
  const logits = { ...spec, layers: spec.layers.filter((layer) => layer.type !== 'softmax') };
  return concatBytes(convertOnnx(buildOnnx(logits, heInitialized(logits, 7), BVLC_STYLE), { quantize }).chunks);
}

/** Every call after the GPU trouble answered as before it, and one backendchange saying the classifier moved. */
function expectServedAfterMove(
  result: { got: Classification[][]; changes: { backend: string; backendReason: readonly string[] }[]; backend: string },
  expected: Classification[][],
): void {
  result.got.forEach((top, i) => {
    const want = expected[i % expected.length];
    expect(top.map((c) => c.label)).toEqual(want.map((c) => c.label));
    top.forEach((c, k) => expect(c.score).toBeCloseTo(want[k].score, 4));
  });
  expect(result.changes).toHaveLength(1);
  expect(result.changes[0].backendReason[0]).toMatch(/selected after the previous device was lost/);
  expect(result.backend).toBe(result.changes[0].backend);
}

// CI installs Chromium (.ci/run); elsewhere the suite says by name that it did not run.

describe.skipIf(!chromiumAvailable())('browser SDK in Chromium', () => {
  const chromium = chromiumFixture();
  let browser: Browser;
  let server: StaticServer;
  let page: Page;

  async function openHarness(): Promise<Page> {
    const fresh = await openPage(browser, `${server.origin}/test/browser/pages/harness.html`);
    await fresh.waitForFunction(() => window.harnessReady === true);
    return fresh;
  }

  /** Requests the server saw for `path` since `since`. */
  const requestsFor = (path: string, since = 0) => server.requests.slice(since).filter((r) => r.path === path);

  beforeAll(async () => {
    ({ browser, server } = chromium);
    page = await openHarness();
  }, 60_000);

  it('loads dist/browser.js and classifies in a module worker, matching Node', async () => {
    const node = await createNodeClassifier();
    const expected = await Promise.all(IMAGES.map((name) => node.classify(fileURLToPath(new URL(`..${imagePath(name)}`, import.meta.url)), { topK: 3 })));
    node.dispose();
    const got = await page.evaluate(async (paths) => {
      const classifier = await window.alexnet.createClassifier({ cache: false });
      const results = await classifier.classify(paths, { topK: 3 });
      const info = {
        backend: classifier.backend, reason: classifier.backendReason, threads: classifier.threads, crossOriginIsolated, cached: await classifier.whenCached(),
      };
      classifier.dispose();
      return { results, info };
    }, IMAGES.map(imagePath));
    expect(got.info.backend).toBe('wasm');
    expect(got.info.crossOriginIsolated).toBe(true);
    // Isolated, on 2 cores: the engine's worker and one helper thread.
    expect(got.info.threads).toBe(2);
    expect(got.info.reason).toContain('wasm: 2 threads (every core: 2 reported)');
    expect(got.info.cached).toBe(false);
    expect(got.results.map((r) => r.map((c) => c.label))).toEqual(expected.map((r) => r.map((c) => c.label)));
    for (let i = 0; i < IMAGES.length; i++) {
      for (let k = 0; k < 3; k++) expect(got.results[i][k].score).toBeCloseTo(expected[i][k].score, 5);
    }
  });

  it("multiplies int8 layers with the relaxed i8 dot product in Chromium and gives the logits Node's i16 dot product gives, bit for bit", async () => {
    const bytes = randomModel(SMALL_SPEC, 'int8');
    server.files.set('/int8/small-int8.safetensors', bytes);
    const input = Array.from(uniform(3 * 227 * 227, 77, -2, 2));
    // Node 20 computes the relaxed dot product wrong (its self-test sends the int8 layers to the i16 one); the integers are the same.
    const node = await createNodeClassifier({ weights: bytes, threads: 1 });
    const expected = Array.from(await node.infer(Float32Array.from(input)));
    await node.dispose();
    const got = await page.evaluate(async (input) => {
      const classifier = await window.alexnet.createClassifier({ weights: '/int8/small-int8.safetensors', cache: false, threads: 1 });
      const logits = Array.from(await classifier.infer(Float32Array.from(input)));
      const { arithmetic, backendReason } = classifier;
      await classifier.dispose();
      return { logits, arithmetic, reason: backendReason.join('; ') };
    }, input);
    expect(got.arithmetic).toBe('int8');
    expect(got.reason).toMatch(/fully connected layers by the relaxed SIMD dot product i32x4.relaxed_dot_i8x16_i7x16_add_s/);
    expect(got.logits).toEqual(expected);
  });

  it('gives bit-identical tensors and logits to Node for the same PNG, from every image type (PNG bytes too)', async () => {
    // Baseline SIMD on both sides: the same wasm on the same input is deterministic.
    const node = await createNodeClassifier({ relaxedSimd: false });
    const file = fileURLToPath(new URL(`..${imagePath('sandal')}`, import.meta.url));
    const tensor = await node.preprocess(file);
    const logits = await node.infer(tensor);
    node.dispose();
    const got = await page.evaluate(async (url) => {
      const { createClassifier } = window.alexnet;
      const blob = await (await fetch(url)).blob();
      const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
      const canvas = Object.assign(document.createElement('canvas'), { width: bitmap.width, height: bitmap.height });
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
      const offscreen = new OffscreenCanvas(bitmap.width, bitmap.height);
      offscreen.getContext('2d')!.drawImage(bitmap, 0, 0);
      const imageData = canvas.getContext('2d')!.getImageData(0, 0, bitmap.width, bitmap.height);
      const img = new Image();
      img.src = url;
      const frame = new VideoFrame(bitmap, { timestamp: 0 });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const inputs = {
        url, blob, bitmap, canvas, offscreen, imageData, img, frame, bytes, arrayBuffer: bytes.slice().buffer,
        rgba: { data: new Uint8Array(imageData.data), width: imageData.width, height: imageData.height },
      };
      const out: Record<string, { worker: number[]; main: number[] }> = {};
      const inWorker = await createClassifier({ relaxedSimd: false, cache: false });
      const onMain = await createClassifier({ relaxedSimd: false, cache: false, worker: false });
      for (const [name, input] of Object.entries(inputs)) {
        out[name] = { worker: Array.from(await inWorker.preprocess(input)), main: Array.from(await onMain.preprocess(input)) };
      }
      const logits = Array.from(await inWorker.infer(await inWorker.preprocess(url)));
      const mainLogits = Array.from(await onMain.infer(await onMain.preprocess(url)));
      // The caller's bitmap and frame stay usable: the worker got copies.
      const stillOpen = bitmap.width > 0 && frame.displayWidth > 0;
      frame.close();
      const threads = { worker: inWorker.threads, main: onMain.threads, mainReason: onMain.backendReason.at(-1) };
      inWorker.dispose();
      onMain.dispose();
      return { out, logits, mainLogits, stillOpen, threads };
    }, imagePath('sandal'));
    const expectedTensor = Array.from(tensor);
    for (const [name, { worker, main }] of Object.entries(got.out)) {
      expect(worker, `${name} in the worker`).toEqual(expectedTensor);
      expect(main, `${name} on the main thread`).toEqual(expectedTensor);
    }
    expect(got.logits).toEqual(Array.from(logits));
    expect(got.mainLogits).toEqual(Array.from(logits));
    expect(got.stillOpen).toBe(true);
    // The page's main thread may not block: its helpers compute while it awaits Atomics.waitAsync.
    expect(got.threads).toEqual({ worker: 2, main: 2, mainReason: expect.stringMatching(/^wasm: 2 threads \(.*waits with Atomics.waitAsync\)$/) });
  });

  it('runs on one thread in a page that is not cross-origin isolated, saying why, with the same results', async () => {
    const node = await createNodeClassifier({ threads: 1 });
    const expected = await node.classify(fileURLToPath(new URL(`..${imagePath('dress')}`, import.meta.url)), { topK: 3 });
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

  it('reports monotonic progress that ends at the file size', async () => {
    const events = await page.evaluate(async (url) => {
      const seen: import('../src/browser/index.js').LoadProgress[] = [];
      const classifier = await window.alexnet.createClassifier({ weights: url, cache: false, onProgress: (p) => seen.push(p) });
      classifier.dispose();
      return seen;
    }, `${MODEL_PATH}?slow=5`);
    expect(events.length).toBeGreaterThan(3);
    for (let i = 1; i < events.length; i++) {
      expect(events[i].loadedBytes).toBeGreaterThanOrEqual(events[i - 1].loadedBytes);
      expect(events[i].tensorsReady).toBeGreaterThanOrEqual(events[i - 1].tensorsReady);
    }
    const last = events[events.length - 1];
    expect(last).toMatchObject({ phase: 'done', loadedBytes: MODEL_BYTES, totalBytes: MODEL_BYTES });
    expect(last.tensorsReady).toBe(last.tensorsTotal);
    expect(events.some((e) => e.phase === 'tensors' && e.tensorsReady > 0 && e.tensorsReady < e.tensorsTotal)).toBe(true);
  });

  it('aborts a load mid-download, in the worker and on the main thread, with AbortError', async () => {
    const results = await page.evaluate(async (url) => {
      const outcomes: string[] = [];
      for (const worker of [true, false]) {
        const controller = new AbortController();
        let started = false;
        const loading = window.alexnet.createClassifier({
          weights: url, cache: false, worker, signal: controller.signal,
          onProgress: (p) => {
            if (!started && p.loadedBytes > 0) {
              started = true;
              controller.abort();
            }
          },
        });
        outcomes.push(await loading.then(() => 'loaded', (error) => `${error.name}`));
      }
      // Nothing stuck: a new classifier loads and works.
      const classifier = await window.alexnet.createClassifier({ cache: false });
      const top = await classifier.classify('/examples/images/trouser.png', { topK: 1 });
      classifier.dispose();
      return { outcomes, label: top[0].label };
    }, `${MODEL_PATH}?slow=40`);
    expect(results.outcomes).toEqual(['AbortError', 'AbortError']);
    expect(results.label).toBe('Trouser');
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

  it('rejects an integrity mismatch, saying expected vs actual, and caches nothing', async () => {
    const url = `${server.origin}${MODEL_PATH}?integrity`;
    const result = await page.evaluate(async (url) => {
      const { createClassifier, WEIGHTS_CACHE_NAME } = window.alexnet;
      const error = await createClassifier({ weights: url, integrity: `sha256-${btoa('x'.repeat(32))}` }).then(() => undefined, (e) => e);
      const cached = await (await caches.open(WEIGHTS_CACHE_NAME)).match(url);
      const recorded = await (await caches.open(`${WEIGHTS_CACHE_NAME}-records`)).match(url);
      return { code: error?.code, message: error?.message, cached: !!cached, recorded: !!recorded };
    }, url);
    expect(result.code).toBe('WEIGHTS_CORRUPT');
    expect(result.message).toMatch(/expected sha256-eHh4.*got sha256-/);
    expect(result).toMatchObject({ cached: false, recorded: false });
  });

  it('caches a file that passed its integrity hash; another hash for the same URL downloads again, rejects and leaves nothing', async () => {
    const url = `${server.origin}${MODEL_PATH}?pinned`;
    const integrity = `sha256-${createHash('sha256').update(readFileSync(new URL(`..${MODEL_PATH}`, import.meta.url))).digest('base64')}`;
    const since = server.requests.length;
    const result = await page.evaluate(async (url, integrity) => {
      const { createClassifier, WEIGHTS_CACHE_NAME } = window.alexnet;
      const first = await createClassifier({ weights: url, integrity });
      const cached = await first.whenCached();
      first.dispose();
      const second = await createClassifier({ weights: url, integrity });
      const secondCached = await second.whenCached();
      second.dispose();
      const wrong = await createClassifier({ weights: url, integrity: `sha256-${btoa('y'.repeat(32))}` }).then(() => undefined, (e) => e.code);
      const left = await (await caches.open(WEIGHTS_CACHE_NAME)).match(url);
      return { cached, secondCached, wrong, left: !!left };
    }, url, integrity);
    expect(result).toEqual({ cached: true, secondCached: true, wrong: 'WEIGHTS_CORRUPT', left: false });
    // First load and the wrong-hash load went to the network; the second came from the cache.
    expect(requestsFor(MODEL_PATH, since)).toHaveLength(2);
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

  it('resumes a cut connection with a Range request, and fails clearly when the server cannot resume', async () => {
    const cut = 1_000_000;
    const since = server.requests.length;
    const result = await page.evaluate(async (cut) => {
      const classifier = await window.alexnet.createClassifier({ weights: `/models/fashion-alexnet-mini.safetensors?cut=${cut}`, cache: false });
      const top = await classifier.classify('/examples/images/ankle-boot.png', { topK: 1 });
      classifier.dispose();
      const failure = await window.alexnet.createClassifier({ weights: `/models/fashion-alexnet-mini.safetensors?cut=${cut}&norange`, cache: false })
        .then(() => undefined, (e) => ({ code: e.code, message: e.message }));
      return { label: top[0].label, failure };
    }, cut);
    expect(result.label).toBe('Ankle boot');
    const ranges = requestsFor(MODEL_PATH, since).filter((r) => !r.query.includes('norange')).map((r) => r.range);
    expect(ranges[0]).toBeUndefined();
    // One Range request from where the bytes stopped arriving (a destroyed socket drops what was unsent).
    expect(ranges).toHaveLength(2);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(cut);
    expect(result.failure?.code).toBe('WEIGHTS_DOWNLOAD_FAILED');
    expect(result.failure?.message).toMatch(/does not support resuming/);
  });

  it('serves a second page load from the Cache API without a weights request, and replaces a damaged copy', async () => {
    const path = `${MODEL_PATH}?cached`;
    const load = (p: Page) => p.evaluate(async (path) => {
      const classifier = await window.alexnet.createClassifier({ weights: path });
      const top = await classifier.classify('/examples/images/sneaker.png', { topK: 1 });
      const cached = await classifier.whenCached();
      classifier.dispose();
      return { ...top[0], cached };
    }, path);
    const first = await load(page);
    expect(first.cached).toBe(true);
    const before = server.requests.length;
    const second = await openHarness();
    expect(await load(second)).toEqual(first);
    expect(requestsFor(MODEL_PATH, before)).toHaveLength(0);

    // Damage the cached copy: it must be noticed, deleted and downloaded again.
    await second.evaluate(async (path) => {
      const files = await caches.open(window.alexnet.WEIGHTS_CACHE_NAME);
      const url = new URL(path, location.href).href;
      const bytes = new Uint8Array(await (await files.match(url))!.arrayBuffer());
      bytes[bytes.length - 10] ^= 0xff;
      await files.put(url, new Response(bytes));
    }, path);
    const beforeRepair = server.requests.length;
    expect(await load(second)).toEqual(first);
    expect(requestsFor(MODEL_PATH, beforeRepair)).toHaveLength(1);
    const beforeThird = server.requests.length;
    expect(await load(second)).toEqual(first);
    expect(requestsFor(MODEL_PATH, beforeThird)).toHaveLength(0);

    // A record an earlier release wrote (an xxh64 checksum) is not trusted: the copy is fetched again, once.
    await second.evaluate(async (path) => {
      const records = await caches.open(`${window.alexnet.WEIGHTS_CACHE_NAME}-records`);
      const url = new URL(path, location.href).href;
      const record = await (await records.match(url))!.json();
      await records.put(url, new Response(JSON.stringify({ ...record, checksum: 'xxh64-0123456789abcdef' })));
    }, path);
    const beforeOldRecord = server.requests.length;
    expect(await load(second)).toEqual(first);
    expect(requestsFor(MODEL_PATH, beforeOldRecord)).toHaveLength(1);
    const afterOldRecord = server.requests.length;
    expect(await load(second)).toEqual(first);
    expect(requestsFor(MODEL_PATH, afterOldRecord)).toHaveLength(0);
    await second.close();
  });

  it('writes the Cache API copy of a fast download after the first result, of a slow one while it arrives, and at once when asked', async () => {
    const result = await page.evaluate(async () => {
      const { createClassifier, WEIGHTS_CACHE_NAME } = window.alexnet;
      const stored = async (path: string) => !!(await (await caches.open(WEIGHTS_CACHE_NAME)).match(new URL(path, location.href).href));
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      /** Whether the copy of `path` gets stored within 10 s, polling without asking for it. */
      const storedSoon = async (path: string) => {
        const from = performance.now();
        while (!(await stored(path)) && performance.now() - from < 10_000) await pause(20);
        return stored(path);
      };
      const fast = '/models/fashion-alexnet-mini.safetensors?deferred';
      const classifier = await createClassifier({ weights: fast });
      await pause(150);
      const beforeCall = await stored(fast);
      await classifier.classify('/examples/images/sneaker.png');
      const afterCall = { cached: await classifier.whenCached(), entry: await stored(fast) };
      classifier.dispose();

      // No call: the write starts a second (WRITE_AFTER_MS) after the download began.
      const idlePath = '/models/fashion-alexnet-mini.safetensors?idle';
      const idle = await createClassifier({ weights: idlePath });
      const idleStored = await storedSoon(idlePath);
      idle.dispose();

      // About 1.4 s of download (64 KiB every 25 ms): written while it arrives, stored just after.
      const slowPath = '/models/fashion-alexnet-mini.safetensors?slow=25';
      const slow = await createClassifier({ weights: slowPath });
      const slowStored = await storedSoon(slowPath);
      slow.dispose();

      const askedPath = '/models/fashion-alexnet-mini.safetensors?asked';
      const asked = await createClassifier({ weights: askedPath });
      const askedCached = await asked.whenCached();
      const askedEntry = await stored(askedPath);
      asked.dispose();
      return { beforeCall, afterCall, idleStored, slowStored, askedCached, askedEntry };
    });
    // The order of events in a real page; the timing policy itself is test/cache-write-decision.test.ts's.
    expect(result).toEqual({ beforeCall: false, afterCall: { cached: true, entry: true }, idleStored: true, slowStored: true, askedCached: true, askedEntry: true });
  });

  it('takes weights as a Response, a ReadableStream, a Blob and bytes', async () => {
    const labels = await page.evaluate(async (path) => {
      const { createClassifier } = window.alexnet;
      const sources: Record<string, () => Promise<unknown>> = {
        response: () => fetch(path),
        stream: async () => (await fetch(path)).body,
        blob: async () => (await fetch(path)).blob(),
        bytes: async () => new Uint8Array(await (await fetch(path)).arrayBuffer()),
      };
      const out: Record<string, string> = {};
      for (const [name, source] of Object.entries(sources)) {
        const classifier = await createClassifier({ weights: (await source()) as Blob, cache: false });
        out[name] = (await classifier.classify('/examples/images/trouser.png', { topK: 1 }))[0].label;
        classifier.dispose();
      }
      return out;
    }, MODEL_PATH);
    expect(labels).toEqual({ response: 'Trouser', stream: 'Trouser', blob: 'Trouser', bytes: 'Trouser' });
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

  it("'auto' explains why it skips the software WebGPU adapter and runs WebAssembly", async () => {
    const result = await page.evaluate(async () => {
      const classifier = await window.alexnet.createClassifier({ cache: false });
      const { backend, backendReason } = classifier;
      classifier.dispose();
      return { backend, backendReason };
    });
    expect(result.backend).toBe('wasm');
    expect(result.backendReason[0]).toMatch(/^webgpu: skipped, adapter is a software fallback \(swiftshader\)/);
    expect(result.backendReason[1]).toMatch(/^wasm: selected/);
  });

  it.each([
    ['the demo model (int8 conv, LRN, groups)', MODEL_PATH, undefined, IMAGES.length],
    ['a quarter-width f32 model, logits', '/webgpu/small-f32.safetensors', () => randomModel(SMALL_SPEC, 'f32'), IMAGES.length],
    // One image: SwiftShader needs seconds per full-size inference.
    ['full-size BVLC AlexNet, int8, logits', '/webgpu/bvlc-int8.safetensors', () => randomModel(bvlcAlexNet(), 'int8'), 1],
  ])('runs %s on WebGPU (forced) like WebAssembly: cosine >= 0.9999, same top-5', async (_, path, bytes, imageCount) => {
    if (bytes) server.files.set(path, bytes());
    const result = await page.evaluate(async (path, images) => {
      const { createClassifier } = window.alexnet;
      const gpu = await createClassifier({ weights: path, backend: 'webgpu', cache: false });
      // WebGPU computes in f32: against WebAssembly's f32 arithmetic (int8 arithmetic has its own gates).
      const cpu = await createClassifier({ weights: path, backend: 'wasm', cache: false, arithmetic: 'f32' });
      const pairs = [];
      for (const image of images) {
        const input = await cpu.preprocess(image);
        pairs.push({ gpu: Array.from(await gpu.infer(input)), cpu: Array.from(await cpu.infer(input)) });
      }
      const info = { backend: gpu.backend, reason: gpu.backendReason };
      gpu.dispose();
      cpu.dispose();
      return { pairs, info };
    }, path, IMAGES.slice(0, imageCount).map(imagePath));
    expect(result.info.backend).toBe('webgpu');
    console.log(`WebGPU network test ran on: ${result.info.reason.join('; ')}`);
    const top5 = (v: number[]) => v.map((x, i) => [x, i]).sort((a, b) => b[0] - a[0]).slice(0, 5).map(([, i]) => i);
    for (const { gpu, cpu } of result.pairs) {
      const dot = gpu.reduce((sum, g, i) => sum + g * cpu[i], 0);
      const cosine = dot / Math.sqrt(gpu.reduce((s, g) => s + g * g, 0) * cpu.reduce((s, c) => s + c * c, 0));
      expect(cosine).toBeGreaterThanOrEqual(0.9999);
      expect(top5(gpu)).toEqual(top5(cpu));
    }
  });

  it('profiles each layer on WebGPU with the GPU timestamps where the adapter has them, else per layer by the clock', async () => {
    const result = await page.evaluate(async (path, image) => {
      const { createClassifier } = window.alexnet;
      const adapter = await navigator.gpu.requestAdapter();
      const timestamps = adapter!.features.has('timestamp-query');
      const gpu = await createClassifier({ weights: path, backend: 'webgpu', cache: false });
      const cpu = await createClassifier({ weights: path, backend: 'wasm', cache: false });
      const input = await cpu.preprocess(image);
      const plain = Array.from(await gpu.infer(input));
      const started = performance.now();
      const profiled = await gpu.profile(input);
      const wallMs = performance.now() - started;
      const cpuProfile = await cpu.profile(input);
      gpu.dispose();
      cpu.dispose();
      // The same on a device without the feature (as on adapters that lack it).
      const requestDevice = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
        return requestDevice.call(this, { ...descriptor, requiredFeatures: [] });
      };
      let untimed;
      try {
        const plainGpu = await createClassifier({ weights: path, backend: 'webgpu', cache: false, worker: false });
        untimed = await plainGpu.profile(input);
        plainGpu.dispose();
      } finally {
        GPUAdapter.prototype.requestDevice = requestDevice;
      }
      return {
        timestamps, wallMs, clock: profiled.clock, layerTimes: profiled.layerTimes, output: Array.from(profiled.output), plain,
        cpuClock: cpuProfile.clock, cpuLayers: cpuProfile.layerTimes.map((t) => t.name),
        untimedClock: untimed.clock, untimedLayers: untimed.layerTimes, untimedOutput: Array.from(untimed.output),
      };
    }, MODEL_PATH, imagePath(IMAGES[0]));
    console.log(`WebGPU profile (${result.clock} clock): ${result.layerTimes.map((t) => `${t.name} ${t.ms.toFixed(2)} ms`).join(', ')}`);
    expect(result.clock).toBe(result.timestamps ? 'device' : 'wall');
    expect(result.cpuClock).toBe('wall');
    expect(result.layerTimes.map((t) => t.name)).toEqual(result.cpuLayers);
    // A timed run computes exactly what a plain one does.
    expect(result.output).toEqual(result.plain);
    for (const time of result.layerTimes) {
      expect(Number.isFinite(time.ms)).toBe(true);
      expect(time.ms).toBeGreaterThanOrEqual(0);
    }
    for (const time of result.layerTimes.filter((t) => t.type === 'conv2d')) expect(time.ms).toBeGreaterThan(0);
    const total = result.layerTimes.reduce((sum, t) => sum + t.ms, 0);
    expect(total).toBeLessThanOrEqual(result.wallMs);
    expect(result.untimedClock).toBe('wall');
    expect(result.untimedOutput).toEqual(result.plain);
    for (const time of result.untimedLayers.filter((t) => t.type === 'conv2d')) expect(time.ms).toBeGreaterThan(0);
  });

  it('serves every pending classify when the GPU device is lost mid-run, and says where it moved', async () => {
    const result = await page.evaluate(async (images) => {
      // Keep the devices the classifier creates, to destroy one as a driver reset would.
      const devices: GPUDevice[] = [];
      const requestDevice = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, ...args: Parameters<typeof requestDevice>) {
        const device = await requestDevice.apply(this, args);
        devices.push(device);
        return device;
      };
      try {
        const classifier = await window.alexnet.createClassifier({ backend: 'webgpu', worker: false, cache: false });
        const changes: { backend: string; backendReason: readonly string[] }[] = [];
        classifier.addEventListener('backendchange', (event) => changes.push(event.detail));
        const expected = await classifier.classify(images, { topK: 3 });
        const pending = Array.from({ length: 6 }, (_, i) => classifier.classify(images[i % images.length], { topK: 3 }));
        devices[devices.length - 1].destroy();
        const got = await Promise.all(pending);
        const backend = classifier.backend;
        classifier.dispose();
        return { expected, got, changes, backend, devices: devices.length };
      } finally {
        GPUAdapter.prototype.requestDevice = requestDevice;
      }
    }, IMAGES.map(imagePath));
    expectServedAfterMove(result, result.expected);
  });

  it('recovers inside the worker too: a device lost there reloads the model, and every classify resolves', async () => {
    const workerCreated = new Promise<WebWorker>((resolve) => page.once('workercreated', resolve));
    const expected = await page.evaluate(async (images) => {
      window.gpuClassifier = await window.alexnet.createClassifier({ backend: 'webgpu', cache: false });
      return window.gpuClassifier.classify(images, { topK: 3 });
    }, IMAGES.map(imagePath));
    // In the worker: the next inference destroys its device first, as a driver reset would.
    const worker = await workerCreated;
    await worker.evaluate(() => {
      const createCommandEncoder = GPUDevice.prototype.createCommandEncoder;
      let destroyed = false;
      GPUDevice.prototype.createCommandEncoder = function (this: GPUDevice, descriptor?: GPUCommandEncoderDescriptor) {
        if (!destroyed) {
          destroyed = true;
          this.destroy();
        }
        return createCommandEncoder.call(this, descriptor);
      };
    });
    const result = await page.evaluate(async (images) => {
      const classifier = window.gpuClassifier!;
      const changes: { backend: string; backendReason: readonly string[] }[] = [];
      classifier.addEventListener('backendchange', (event) => changes.push(event.detail));
      const got = await Promise.all(Array.from({ length: 6 }, (_, i) => classifier.classify(images[i % images.length], { topK: 3 })));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const backend = classifier.backend;
      classifier.dispose();
      return { got, changes, backend };
    }, IMAGES.map(imagePath));
    expectServedAfterMove(result, expected);
  });

  it('moves to a new device when an error scope reports the GPU out of memory mid-run, and every classify still resolves', async () => {
    const result = await page.evaluate(async (images) => {
      // Report one out-of-memory error through the scopes the backend watches, as a full GPU would.
      const filters = new WeakMap<GPUDevice, GPUErrorFilter[]>();
      const { pushErrorScope, popErrorScope } = GPUDevice.prototype;
      let injectOutOfMemory = false;
      GPUDevice.prototype.pushErrorScope = function (this: GPUDevice, filter: GPUErrorFilter) {
        if (!filters.has(this)) filters.set(this, []);
        filters.get(this)!.push(filter);
        return pushErrorScope.call(this, filter);
      };
      GPUDevice.prototype.popErrorScope = async function (this: GPUDevice) {
        const filter = filters.get(this)?.pop();
        const error = await popErrorScope.call(this);
        if (filter !== 'out-of-memory' || !injectOutOfMemory) return error;
        injectOutOfMemory = false;
        return new GPUOutOfMemoryError('injected by the test');
      };
      try {
        const classifier = await window.alexnet.createClassifier({ backend: 'webgpu', worker: false, cache: false });
        const changes: { backend: string; backendReason: readonly string[] }[] = [];
        classifier.addEventListener('backendchange', (event) => changes.push(event.detail));
        const expected = await classifier.classify(images, { topK: 3 });
        injectOutOfMemory = true;
        const got = await Promise.all(Array.from({ length: 4 }, (_, i) => classifier.classify(images[i % images.length], { topK: 3 })));
        const backend = classifier.backend;
        classifier.dispose();
        return { expected, got, changes, backend, injected: !injectOutOfMemory };
      } finally {
        Object.assign(GPUDevice.prototype, { pushErrorScope, popErrorScope });
      }
    }, IMAGES.map(imagePath));
    expect(result.injected).toBe(true);
    expectServedAfterMove(result, result.expected);
    expect(result.backend).toBe('webgpu');
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
