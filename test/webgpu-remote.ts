// The WebGPU backend under test from Node: a Backend whose calls are recorded here and replayed by a
// real WebGpuBackend in headless Chromium (SwiftShader, or a GPU where there is one) when a result is
// read. So the op tests run their very cases on WebGPU. Arrays travel through the test server.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import type { Backend } from '../src/backends/backend.js';
import type { LayerWeights } from '../src/backends/backend.js';
import { launchChromium } from '../tools/chromium.js';
import { startStaticServer, type StaticServer } from '../tools/static-server.js';

export interface ArrayRef {
  path: string;
  type: 'Float32Array' | 'Int8Array' | 'Uint16Array';
}

interface WireLayerWeights {
  weight: { dtype: string; values: ArrayRef; scales?: ArrayRef };
  bias: ArrayRef;
}

export type RemoteCommand =
  | { op: 'uploadConv2d' | 'uploadFullyConnected'; id: number; weights: WireLayerWeights; shape: object }
  | { op: 'allocate'; id: number; elements: number }
  | { op: 'write'; id: number; data: ArrayRef }
  | { op: 'release'; id: number }
  | { op: 'conv2d' | 'fullyConnected' | 'maxPool' | 'lrn' | 'softmax'; out: number; input: number; weights?: number; shape: object };

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function buildPage(): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL('./browser/webgpu-ops-page.ts', import.meta.url))],
    outfile: fileURLToPath(new URL('../build/test/webgpu-ops-page.js', import.meta.url)),
    bundle: true,
    format: 'esm',
    loader: { '.wgsl': 'text' },
    logLevel: 'error',
  });
}

export class RemoteWebGpuBackend implements Backend<number, number> {
  readonly name = 'webgpu' as const;
  private commands: RemoteCommand[] = [];
  private nextId = 1;
  private nextArray = 1;

  private constructor(private readonly browser: Browser, private readonly server: StaticServer, private readonly page: Page, readonly adapter: string) {}

  /** Launches Chromium, opens the WebGPU adapter it offers; rejects when there is none. */
  static async create(options: { int8Unpack?: 'unpack4xI8' | 'shifts' } = {}): Promise<RemoteWebGpuBackend> {
    await buildPage();
    const server = await startStaticServer(ROOT);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.origin}/test/browser/pages/webgpu-ops.html`);
      await page.waitForFunction(() => 'webgpuOps' in window);
      const adapter = await page.evaluate((options) => (window as unknown as { webgpuOps: { open(o: typeof options): Promise<string> } }).webgpuOps.open(options), options);
      return new RemoteWebGpuBackend(browser, server, page, adapter);
    } catch (error) {
      await browser.close();
      await server.close();
      throw error;
    }
  }

  private array(values: Float32Array | Int8Array | Uint16Array): ArrayRef {
    const path = `/remote/${this.nextArray++}`;
    this.server.files.set(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return { path, type: values.constructor.name as ArrayRef['type'] };
  }

  private wireWeights(weights: LayerWeights): WireLayerWeights {
    const { weight } = weights;
    return {
      weight: { dtype: weight.dtype, values: this.array(weight.values), scales: 'scales' in weight && weight.scales ? this.array(weight.scales) : undefined },
      bias: this.array(weights.bias),
    };
  }

  uploadConv2d(weights: LayerWeights, shape: object): number {
    const id = this.nextId++;
    this.commands.push({ op: 'uploadConv2d', id, weights: this.wireWeights(weights), shape });
    return id;
  }

  uploadFullyConnected(weights: LayerWeights, shape: object): number {
    const id = this.nextId++;
    this.commands.push({ op: 'uploadFullyConnected', id, weights: this.wireWeights(weights), shape });
    return id;
  }

  allocate(elements: number): number {
    const id = this.nextId++;
    this.commands.push({ op: 'allocate', id, elements });
    return id;
  }

  write(tensor: number, data: Float32Array): void {
    this.commands.push({ op: 'write', id: tensor, data: this.array(data) });
  }

  async read(tensor: number, elements: number): Promise<Float32Array> {
    const commands = this.commands;
    this.commands = [];
    const base64 = await this.page.evaluate(
      (commands, read) => (window as unknown as { webgpuOps: { run(c: unknown, r: unknown): Promise<string> } }).webgpuOps.run(commands, read),
      commands, { id: tensor, elements },
    );
    this.server.files.clear();
    const bytes = Buffer.from(base64, 'base64');
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
  }

  conv2d(out: number, input: number, weights: number, shape: object): void {
    this.commands.push({ op: 'conv2d', out, input, weights, shape });
  }

  maxPool(out: number, input: number, shape: object): void {
    this.commands.push({ op: 'maxPool', out, input, shape });
  }

  lrn(out: number, input: number, shape: object): void {
    this.commands.push({ op: 'lrn', out, input, shape });
  }

  fullyConnected(out: number, input: number, weights: number, shape: object): void {
    this.commands.push({ op: 'fullyConnected', out, input, weights, shape });
  }

  softmax(out: number, input: number, shape: object): void {
    this.commands.push({ op: 'softmax', out, input, shape });
  }

  release(handle: number): void {
    this.commands.push({ op: 'release', id: handle });
  }

  dispose(): void {
    void this.browser.close().finally(() => this.server.close());
  }
}
