// Loading weights in a browser: progress, abort, integrity, Range resume, and every kind of source.
import type { Page } from 'puppeteer-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumSkipNote } from '../chromium-fixture.js';
import type { StaticServer } from '../../tools/static-server.js';
import { browserHarness, MODEL_BYTES, MODEL_PATH } from './harness.js';

describe.skipIf(!chromiumAvailable())('browser SDK in Chromium: loading weights' + chromiumSkipNote(), () => {
  const h = browserHarness();
  let page: Page;
  let server: StaticServer;
  beforeAll(() => ({ page, server } = h));

  it('reports monotonic progress that ends at the file size', async () => {
    const events = await page.evaluate(async (url) => {
      const seen: import('../../src/browser/index.js').LoadProgress[] = [];
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
    const ranges = h.requestsFor(MODEL_PATH, since).filter((r) => !r.query.includes('norange')).map((r) => r.range);
    expect(ranges[0]).toBeUndefined();
    // One Range request from where the bytes stopped arriving (a destroyed socket drops what was unsent).
    expect(ranges).toHaveLength(2);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(cut);
    expect(result.failure?.code).toBe('WEIGHTS_DOWNLOAD_FAILED');
    expect(result.failure?.message).toMatch(/does not support resuming/);
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
});
