// The offline copy of the weights in the Cache API: integrity records, a second page load served from
// it, a damaged or old copy replaced, and when the copy is written.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumSkipNote } from '../chromium-fixture.js';
import type { StaticServer } from '../../tools/static-server.js';
import { browserHarness, MODEL_PATH } from './harness.js';

describe.skipIf(!chromiumAvailable())('browser SDK in Chromium: the Cache API copy' + chromiumSkipNote(), () => {
  const h = browserHarness();
  let page: Page;
  let server: StaticServer;
  beforeAll(() => ({ page, server } = h));

  it('caches a file that passed its integrity hash; another hash for the same URL downloads again, rejects and leaves nothing', async () => {
    const url = `${server.origin}${MODEL_PATH}?pinned`;
    const integrity = `sha256-${createHash('sha256').update(readFileSync(new URL(`../..${MODEL_PATH}`, import.meta.url))).digest('base64')}`;
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
    expect(h.requestsFor(MODEL_PATH, since)).toHaveLength(2);
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
    const second = await h.openHarness();
    /** Loads in the second tab: the same answer, after `downloads` requests for the file. */
    const loadAgain = async (downloads: number) => {
      const since = server.requests.length;
      expect(await load(second)).toEqual(first);
      expect(h.requestsFor(MODEL_PATH, since)).toHaveLength(downloads);
    };
    await loadAgain(0);

    // Damage the cached copy: it must be noticed, deleted and downloaded again.
    await second.evaluate(async (path) => {
      const files = await caches.open(window.alexnet.WEIGHTS_CACHE_NAME);
      const url = new URL(path, location.href).href;
      const bytes = new Uint8Array(await (await files.match(url))!.arrayBuffer());
      bytes[bytes.length - 10] ^= 0xff;
      await files.put(url, new Response(bytes));
    }, path);
    await loadAgain(1);
    await loadAgain(0);

    // A record an earlier release wrote (an xxh64 checksum) is not trusted: the copy is fetched again, once.
    await second.evaluate(async (path) => {
      const records = await caches.open(`${window.alexnet.WEIGHTS_CACHE_NAME}-records`);
      const url = new URL(path, location.href).href;
      const record = await (await records.match(url))!.json();
      await records.put(url, new Response(JSON.stringify({ ...record, checksum: 'xxh64-0123456789abcdef' })));
    }, path);
    await loadAgain(1);
    await loadAgain(0);
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
});
