// npm run bench (browser part): in headless Chromium, from 127.0.0.1, with a cold cache, how long
// until the first classify result, next to how long the same weights file takes just to download,
// plus one warm inference; and the loader's peak extra memory. Demo model and full-size BVLC AlexNet
// (int8, He-initialized), unthrottled (download and loader then compete for the same 2 cores) and
// throttled to about 100 Mbit/s (64 KiB every 5 ms, a fast real network, where the loader's work
// hides behind the download). Medians of alternated rounds; writes bench/results/browser.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CDPSession, Page } from 'puppeteer-core';
import { bvlcAlexNet } from '../dist/index.js';
import { convertOnnx } from '../dist/convert.js';
import { concatBytes } from '../test/helpers.js';
import { median } from './median.js';
import { BVLC_STYLE, buildOnnx, heInitialized } from '../test/onnx-builder.js';
import { launchChromium } from '../tools/chromium.js';
import { startStaticServer } from '../tools/static-server.js';

type BrowserSdk = typeof import('../src/browser/index.js');
declare global {
  interface Window {
    alexnet: BrowserSdk;
    harnessReady?: boolean;
  }
}

const ROUNDS = Number(process.env.BENCH_BROWSER_ROUNDS ?? 5);
const IMAGE = '/examples/images/sneaker.png';

/** Milliseconds to fetch the whole file into memory (no parsing). */
function download(page: Page, url: string): Promise<number> {
  return page.evaluate(async (url) => {
    const started = performance.now();
    await (await fetch(url)).arrayBuffer();
    return performance.now() - started;
  }, url);
}

/**
 * Time to first result from a cold cache (default options: worker, cache on), then a warm inference
 * (infer on a preprocessed tensor) and a warm classify of the same image (fetch, decode, preprocess, infer).
 */
function firstResult(page: Page, url: string): Promise<{ firstResultMs: number; inferenceMs: number; classifyMs: number; cachedFirstResultMs: number }> {
  return page.evaluate(async (url, image) => {
    const { createClassifier, clearWeightsCache } = window.alexnet;
    await clearWeightsCache();
    const started = performance.now();
    const classifier = await createClassifier({ weights: url });
    await classifier.classify(image);
    const firstResultMs = performance.now() - started;
    const input = await classifier.preprocess(image);
    const runs: number[] = [];
    const classifyRuns: number[] = [];
    for (let i = 0; i < 5; i++) {
      let t = performance.now();
      await classifier.infer(input);
      runs.push(performance.now() - t);
      t = performance.now();
      await classifier.classify(image);
      classifyRuns.push(performance.now() - t);
    }
    // The cached load must not share the machine with the end of this one's cache write.
    await classifier.whenCached();
    classifier.dispose();
    const again = performance.now();
    const cached = await createClassifier({ weights: url });
    await cached.classify(image);
    const cachedFirstResultMs = performance.now() - again;
    cached.dispose();
    await clearWeightsCache();
    const middle = (values: number[]): number => values.sort((a, b) => a - b)[2];
    return { firstResultMs, inferenceMs: middle(runs), classifyMs: middle(classifyRuns), cachedFirstResultMs };
  }, url, IMAGE);
}

/**
 * Peak extra memory while loading on the page's thread: the most JS heap + ArrayBuffer backing store
 * (sampled with CDP after a forced GC) above the level before loading. The WebAssembly memory the
 * weights go into is the model itself, and CDP does not count it here. With `cache`, the chunks waiting
 * for the Cache API write count too (a fast download's wait for the first answer or whenCached()).
 */
async function peakExtraMemory(page: Page, cdp: CDPSession, url: string, cache: boolean): Promise<number> {
  const sample = async (): Promise<number> => {
    await cdp.send('HeapProfiler.collectGarbage');
    const usage = await cdp.send('Runtime.getHeapUsage') as { usedSize: number; backingStorageSize?: number };
    return usage.usedSize + (usage.backingStorageSize ?? 0);
  };
  const baseline = await sample();
  let peak = baseline;
  let loading = true;
  const load = page.evaluate(async (url, cache) => {
    await window.alexnet.clearWeightsCache();
    const classifier = await window.alexnet.createClassifier({ weights: url, worker: false, cache });
    await classifier.whenCached();
    classifier.dispose();
    await window.alexnet.clearWeightsCache();
  }, url, cache).finally(() => (loading = false));
  while (loading) peak = Math.max(peak, await sample());
  await load;
  return peak - baseline;
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // The package's scripts and wasm cacheable as from any static host (the worker then finds what its
  // page just loaded); the weights stay no-store: "cold cache" is about them.
  const server = await startStaticServer(root, 0, { cacheableCode: true });
  const spec = bvlcAlexNet();
  server.files.set('/bench/bvlc-alexnet-int8.safetensors', concatBytes(convertOnnx(buildOnnx(spec, heInitialized(spec, 2012), BVLC_STYLE), { quantize: 'int8' }).chunks));
  const files = [
    { name: 'demo (fashion-alexnet-mini, int8)', path: '/models/fashion-alexnet-mini.safetensors', bytes: readFileSync(new URL('../models/fashion-alexnet-mini.safetensors', import.meta.url)).byteLength },
    { name: 'BVLC AlexNet 227 (int8)', path: '/bench/bvlc-alexnet-int8.safetensors', bytes: server.files.get('/bench/bvlc-alexnet-int8.safetensors')!.byteLength },
  ];
  const networks = [{ name: '127.0.0.1', query: '' }, { name: '~100 Mbit/s', query: '?slow=5' }];
  const models = networks.flatMap((network) => files.map((file) => ({ ...file, network: network.name, path: file.path + network.query, plainPath: file.path })));
  const browser = await launchChromium();
  const page = await browser.newPage();
  // tsx names inner arrow functions with a __name helper the page does not have.
  await page.evaluateOnNewDocument('globalThis.__name = (f) => f');
  await page.goto(`${server.origin}/test/browser/pages/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
  const version = await browser.version();

  const times = models.map(() => ({ download: [] as number[], firstResult: [] as number[], inference: [] as number[], classify: [] as number[], cached: [] as number[] }));
  // Warm-up: compile the wasm and the worker once, fill the server's page cache.
  for (const model of models) await firstResult(page, model.path);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, model] of models.entries()) {
      times[i].download.push(await download(page, model.path));
      const run = await firstResult(page, model.path);
      times[i].firstResult.push(run.firstResultMs);
      times[i].inference.push(run.inferenceMs);
      times[i].classify.push(run.classifyMs);
      times[i].cached.push(run.cachedFirstResultMs);
    }
  }
  const cdp = await page.createCDPSession();
  const rows = [];
  const memory = new Map<string, { throttled: number; cached: number }>();
  for (const [i, model] of models.entries()) {
    if (!memory.has(model.plainPath)) {
      memory.set(model.plainPath, {
        throttled: await peakExtraMemory(page, cdp, `${model.plainPath}?slow=5`, false),
        cached: await peakExtraMemory(page, cdp, model.plainPath, true),
      });
    }
    const { throttled: extra, cached: extraCacheOn } = memory.get(model.plainPath)!;
    const t = times[i];
    const [downloadMs, firstResultMs, inferenceMs, classifyMs, cachedMs] = [median(t.download), median(t.firstResult), median(t.inference), median(t.classify), median(t.cached)];
    rows.push({
      model: model.name, network: model.network, fileBytes: model.bytes, downloadMs, inferenceMs, classifyMs, firstResultMs, cachedFirstResultMs: cachedMs,
      firstResultVsDownloadPlusInference: firstResultMs / (downloadMs + inferenceMs),
      firstResultVsDownloadPlusClassify: firstResultMs / (downloadMs + classifyMs),
      peakExtraMemoryBytes: extra, peakExtraMemoryRatio: extra / model.bytes,
      peakExtraMemoryCacheOnBytes: extraCacheOn, peakExtraMemoryCacheOnRatio: extraCacheOn / model.bytes,
    });
  }
  await browser.close();
  await server.close();

  const result = { date: new Date().toISOString(), browser: version, rounds: ROUNDS, image: IMAGE, rows };
  console.log(`\nChromium (${version}), weights from 127.0.0.1, cold cache, module worker, cache on; median of ${ROUNDS} alternated rounds`);
  console.log('| model | network | file MB | download ms | 1 inference ms | 1 classify ms | first result ms | vs download + inference | vs download + classify | from cache ms | peak extra memory | same, cache on, 127.0.0.1 |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.network} | ${(r.fileBytes / 1e6).toFixed(1)} | ${r.downloadMs.toFixed(0)} | ${r.inferenceMs.toFixed(0)} | ${r.classifyMs.toFixed(0)} | ${r.firstResultMs.toFixed(0)} | ${r.firstResultVsDownloadPlusInference.toFixed(2)}x | ${r.firstResultVsDownloadPlusClassify.toFixed(2)}x | ${r.cachedFirstResultMs.toFixed(0)} | ${r.peakExtraMemoryRatio.toFixed(2)}x file | ${r.peakExtraMemoryCacheOnRatio.toFixed(2)}x file |`);
  }
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/browser.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
}

await main();
