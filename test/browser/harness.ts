// One harness for the browser SDK's suites in Chromium (test/browser/*.test.ts): the built
// dist/browser.js loaded by a page served from 127.0.0.1 (COOP/COEP, Range support, cut and throttled
// responses) and driven through puppeteer. Node's results for the same files are the reference.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';
import { beforeAll, expect } from 'vitest';
import { convertOnnx } from '../../src/convert/convert.js';
import type { Classification, NetworkSpec } from '../../src/node/index.js';
import type { StaticServer } from '../../tools/static-server.js';
import { chromiumFixture, openPage } from '../chromium-fixture.js';
import { concatBytes } from '../helpers.js';
import { BVLC_STYLE, buildOnnx, heInitialized } from '../onnx-builder.js';

type BrowserSdk = typeof import('../../src/browser/index.js');
declare global {
  interface Window {
    alexnet: BrowserSdk;
    harnessReady?: boolean;
    cspResult?: { top?: { label: string; score: number }[]; threads?: number; error?: string; violations: string[] };
    gpuClassifier?: Awaited<ReturnType<BrowserSdk['createClassifier']>>;
  }
}

export const MODEL_PATH = '/models/fashion-alexnet-mini.safetensors';
export const MODEL_BYTES = readFileSync(new URL(`../..${MODEL_PATH}`, import.meta.url)).byteLength;
export const IMAGES = ['sneaker', 'trouser', 'dress', 'ankle-boot'];
export const imagePath = (name: string) => `/examples/images/${name}.png`;

export interface BrowserHarness {
  browser: Browser;
  server: StaticServer;
  /** A tab on the harness page, opened before the suite's tests. */
  page: Page;
  /** Another tab on the harness page, with the SDK loaded. */
  openHarness(): Promise<Page>;
  /** Requests the server saw for `path` since `since`. */
  requestsFor(path: string, since?: number): StaticServer['requests'];
}

/** Call inside a describe: Chromium, the server and the first harness tab start before its tests. */
export function browserHarness(): BrowserHarness {
  const chromium = chromiumFixture();
  const harness = {
    async openHarness() {
      const fresh = await openPage(harness.browser, `${harness.server.origin}/test/browser/pages/harness.html`);
      await fresh.waitForFunction(() => window.harnessReady === true);
      return fresh;
    },
    requestsFor: (path: string, since = 0) => harness.server.requests.slice(since).filter((r) => r.path === path),
  } as BrowserHarness;
  beforeAll(async () => {
    harness.browser = chromium.browser;
    harness.server = chromium.server;
    harness.page = await harness.openHarness();
  }, 60_000);
  return harness;
}

/** He-initialized weights for `spec` without its softmax, so the comparison sees logits, not saturated probabilities. */
export function randomModel(spec: NetworkSpec, quantize: 'int8' | 'f32'): Uint8Array {
  const logits = { ...spec, layers: spec.layers.filter((layer) => layer.type !== 'softmax') };
  return concatBytes(convertOnnx(buildOnnx(logits, heInitialized(logits, 7), BVLC_STYLE), { quantize }).chunks);
}

/** Every call after the GPU trouble answered as before it, and one backendchange saying the classifier moved. */
export function expectServedAfterMove(
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
