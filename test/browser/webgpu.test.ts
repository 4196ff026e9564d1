// WebGPU in Chromium (SwiftShader here): why 'auto' skips a software adapter, per-layer profiles, and
// a device lost or out of memory mid-run, on the page and in the worker.
import type { Page, WebWorker } from 'puppeteer-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bvlcAlexNet } from '../../src/node/index.js';
import { chromiumAvailable, chromiumSkipNote } from '../chromium-fixture.js';
import { SMALL_SPEC } from '../fixtures.js';
import type { StaticServer } from '../../tools/static-server.js';
import { browserHarness, expectServedAfterMove, IMAGES, imagePath, MODEL_PATH, randomModel } from './harness.js';

describe.skipIf(!chromiumAvailable())('browser SDK in Chromium: WebGPU' + chromiumSkipNote(), () => {
  const h = browserHarness();
  let page: Page;
  let server: StaticServer;
  beforeAll(() => ({ page, server } = h));

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
});
