// The browser SDK gives what Node gives: the same labels from a module worker, the same logits with
// the relaxed i8 dot product, the same tensors from every image type.
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClassifier as createNodeClassifier } from '../../src/node/index.js';
import { chromiumAvailable, chromiumSkipNote } from '../chromium-fixture.js';
import { SMALL_SPEC } from '../fixtures.js';
import { uniform } from '../random.js';
import type { StaticServer } from '../../tools/static-server.js';
import { browserHarness, IMAGES, imagePath, randomModel } from './harness.js';

describe.skipIf(!chromiumAvailable())('browser SDK in Chromium: parity with Node' + chromiumSkipNote(), () => {
  const h = browserHarness();
  let page: Page;
  let server: StaticServer;
  beforeAll(() => ({ page, server } = h));

  it('loads dist/browser.js and classifies in a module worker, matching Node', async () => {
    const node = await createNodeClassifier();
    const expected = await Promise.all(IMAGES.map((name) => node.classify(fileURLToPath(new URL(`../..${imagePath(name)}`, import.meta.url)), { topK: 3 })));
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
    const file = fileURLToPath(new URL(`../..${imagePath('sandal')}`, import.meta.url));
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
      // Pixels inside a larger buffer, as a caller's pool of frames may hold them.
      const frames = new Uint8Array(3 * imageData.data.length);
      frames.set(imageData.data, imageData.data.length);
      const inputs = {
        url, blob, bitmap, canvas, offscreen, imageData, img, frame, bytes, arrayBuffer: bytes.slice().buffer,
        rgba: { data: new Uint8Array(imageData.data), width: imageData.width, height: imageData.height },
        rgbaView: { data: frames.subarray(imageData.data.length, 2 * imageData.data.length), width: imageData.width, height: imageData.height },
      };
      const pixelsBefore = imageData.data.slice();
      const out: Record<string, { worker: number[]; main: number[] }> = {};
      const inWorker = await createClassifier({ relaxedSimd: false, cache: false });
      const onMain = await createClassifier({ relaxedSimd: false, cache: false, worker: false });
      for (const [name, input] of Object.entries(inputs)) {
        out[name] = { worker: Array.from(await inWorker.preprocess(input)), main: Array.from(await onMain.preprocess(input)) };
      }
      // Pixels travel in buffers that come back: the same pixels again, a few calls at once, reuse them.
      const again = await Promise.all([inWorker.preprocess(imageData), inWorker.preprocess(inputs.rgbaView), inWorker.classify(imageData, { topK: 1 })]);
      out.imageDataAgain = { worker: Array.from(again[0]), main: out.imageData.main };
      out.rgbaViewAgain = { worker: Array.from(again[1]), main: out.rgbaView.main };
      const topFromPixels = again[2][0].label;
      const pixelsIntact = [imageData.data, inputs.rgba.data, inputs.rgbaView.data].every((data) => data.length === pixelsBefore.length && data.every((v, i) => v === pixelsBefore[i]));
      const logits = Array.from(await inWorker.infer(await inWorker.preprocess(url)));
      const mainLogits = Array.from(await onMain.infer(await onMain.preprocess(url)));
      // The caller's bitmap and frame stay usable: the worker got copies.
      const stillOpen = bitmap.width > 0 && frame.displayWidth > 0;
      frame.close();
      const threads = { worker: inWorker.threads, main: onMain.threads, mainReason: onMain.backendReason.at(-1) };
      inWorker.dispose();
      onMain.dispose();
      return { out, logits, mainLogits, stillOpen, pixelsIntact, topFromPixels, threads };
    }, imagePath('sandal'));
    const expectedTensor = Array.from(tensor);
    for (const [name, { worker, main }] of Object.entries(got.out)) {
      expect(worker, `${name} in the worker`).toEqual(expectedTensor);
      expect(main, `${name} on the main thread`).toEqual(expectedTensor);
    }
    expect(got.logits).toEqual(Array.from(logits));
    expect(got.mainLogits).toEqual(Array.from(logits));
    expect(got.stillOpen).toBe(true);
    expect(got.pixelsIntact).toBe(true);
    expect(got.topFromPixels).toBe('Sandal');
    // The page's main thread may not block: its helpers compute while it awaits Atomics.waitAsync.
    expect(got.threads).toEqual({ worker: 2, main: 2, mainReason: expect.stringMatching(/^wasm: 2 threads \(.*waits with Atomics.waitAsync\)$/) });
  });
});
