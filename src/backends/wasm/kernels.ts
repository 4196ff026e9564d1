// Loads the kernels built from assembly/ and types their exports. Two builds exist: relaxed SIMD
// (fused multiply-add) where the engine validates it and passes a self-test, baseline SIMD otherwise;
// each in two forms: with its own memory (one thread), and on an imported shared memory (threads).
import { baselineThreadsWasmUrl, baselineWasmUrl, relaxedThreadsWasmUrl, relaxedWasmUrl } from 'alexnet-web:wasm-urls';
import { AlexNetError } from '../../errors.js';
import type { KernelFunctions } from './work-items.js';

/**
 * The exports of assembly/index.ts; pointers are byte offsets into `memory`. The op kernels
 * (KernelFunctions, typed in work-items.ts) take their item range [first, end) last.
 */
export interface KernelExports extends KernelFunctions {
  memory: WebAssembly.Memory;
  heapBase(): number;
  conv2dScratchBytes(C: number, K: number, R: number, S: number, G: number, OH: number, OW: number): number;
  conv2dPackedWeightFloats(C: number, K: number, R: number, S: number, G: number): number;
  winogradScratchBytes(C: number, K: number, R: number, S: number, G: number, OH: number, OW: number): number;
  winogradPackedWeightFloats(C: number, K: number, R: number, S: number, G: number): number;
  /** `scales` 0: f32 weights; else int8 weights with one f32 scale per output channel. */
  conv2dPackWeights(out: number, weights: number, scales: number, K: number, C: number, R: number, S: number, G: number): void;
  winogradPackWeights(
    out: number, weights: number, scales: number, K: number, C: number, R: number, S: number, G: number, strideH: number, strideW: number,
  ): void;
  winogradInt8ScratchBytes(C: number, K: number, R: number, S: number, G: number, OH: number, OW: number): number;
  winogradInt8PackedWeightBytes(C: number, K: number, R: number, S: number, G: number): number;
  /** 1 where an item of winogradInt8QuantizeTransform takes two channels, 0 where it takes a group. */
  winogradInt8PairsFold(C: number, R: number, S: number, G: number): number;
  /** int8 weights [K, C/G, R, S] into the integer Winograd layout (folded when a stride is > 1). */
  winogradInt8PackWeights(out: number, weights: number, K: number, C: number, R: number, S: number, G: number, strideH: number, strideW: number): void;
  /** Index of the first NaN or infinity among `count` floats at `values`; -1 when there is none. */
  firstNonFinite(values: number, count: number): number;
}

export type KernelBuild = 'relaxed-simd' | 'simd';

export interface Kernels {
  exports: KernelExports;
  build: KernelBuild;
  /** Why this build was chosen, for backendReason. */
  reason: string;
  /** Whether int8 layers may use the relaxed i8 dot product (fullyConnectedW8A8): relaxed build, passed its self-test. */
  relaxedDot: boolean;
}

// (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

/** Whether this engine validates relaxed SIMD (it may still fail the self-test at instantiation). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/** Which file: the build, and whether it imports a shared memory (threads). */
type KernelFile = `${KernelBuild}${'' | '-threads'}`;

const URLS: Record<KernelFile, URL> = {
  simd: baselineWasmUrl,
  'relaxed-simd': relaxedWasmUrl,
  'simd-threads': baselineThreadsWasmUrl,
  'relaxed-simd-threads': relaxedThreadsWasmUrl,
};

const compiled = new Map<KernelFile, Promise<WebAssembly.Module>>();

async function fetchBytes(url: URL): Promise<ArrayBuffer> {
  if (url.protocol === 'file:') {
    // Node's fetch does not read file: URLs. A computed specifier keeps browser bundlers from following it.
    const fs = 'node:fs/promises';
    const { readFile } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fs)) as typeof import('node:fs/promises');
    const bytes = await readFile(url);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return response.arrayBuffer();
}

function compile(file: KernelFile): Promise<WebAssembly.Module> {
  const url = URLS[file];
  let module = compiled.get(file);
  if (!module) {
    module = fetchBytes(url).then((bytes) => WebAssembly.compile(bytes));
    module.catch(() => compiled.delete(file));
    compiled.set(file, module);
  }
  return module.catch((error) => {
    throw new AlexNetError(
      'BACKEND_UNAVAILABLE',
      `Could not load the WebAssembly kernels from ${url} (${(error as Error).message}). Serve the .wasm files next to the alexnet-web JS files; WebAssembly SIMD is required (Node 16.4+, Chrome 91+, Firefox 89+, Safari 16.4+).`,
      { cause: error },
    );
  });
}

// An int8 fully connected layer on activations in [0, 127] whose integer answer is known: the step is
// 1 (the row's largest value is 127) and the scales are 1, so the outputs are the integer dot products.
// Ten rows: a block of eight read side by side and two rows one at a time, the kernel's two loops.
function passesInt8DotTest(kernels: KernelExports): boolean {
  const I = 40;
  const O = 10;
  const base = kernels.heapBase() + 64;
  const bytes = new Uint8Array(kernels.memory.buffer);
  const floats = (at: number, length: number) => new Float32Array(kernels.memory.buffer, at, length);
  const input = floats(base, I);
  input.set(Float32Array.from({ length: I }, (_, i) => (i === 3 ? 127 : (i * 37) % 128)));
  const weights = base + 4 * I;
  const weightValues = new Int8Array(kernels.memory.buffer, weights, O * I);
  weightValues.set(Int8Array.from({ length: O * I }, (_, i) => ((i * 91) % 256) - 128));
  const scales = weights + O * I;
  floats(scales, O).fill(1);
  const bias = scales + 4 * O;
  floats(bias, O).fill(0);
  const steps = bias + 4 * O;
  const quantized = steps + 16;
  const out = quantized + 64;
  bytes.fill(0, steps, out);
  kernels.quantizeRows(quantized, steps, base, 1, I, 48, 0, 1);
  kernels.fullyConnectedW8A8(out, quantized, steps, weights, scales, bias, 1, I, O, 48, 0, 0, 2);
  // NOTES: V8 11.3 (Node 20) doubles relaxed_dot_i8x16_i7x16_add_s.
  const got = floats(out, O);
  for (let o = 0; o < O; o++) {
    let expected = 0;
    for (let i = 0; i < I; i++) expected += weightValues[o * I + i] * input[i];
    if (got[o] !== expected) return false;
  }
  return true;
}

// Dot products whose answers are known: catches engines whose relaxed ops are wrong (see NOTES: V8 11.3).
// Ten rows: a block of eight read side by side and two alone, the kernel's two loops.
function passesFusedMultiplyAddTest(kernels: KernelExports): boolean {
  const I = 16;
  const O = 10;
  const base = kernels.heapBase() + 64;
  const floats = new Float32Array(kernels.memory.buffer, base, I + O * I + 2 * O);
  const weights = I;
  const bias = I + O * I;
  floats.set(Float32Array.from({ length: I }, (_, i) => i - 7.5), 0);
  floats.set(Float32Array.from({ length: O * I }, (_, i) => (i % 5) - 2), weights);
  floats.set(Float32Array.from({ length: O }, (_, o) => 0.5 - 0.25 * o), bias);
  const out = bias + O;
  kernels.fullyConnectedF32(base + out * 4, base, base + weights * 4, base + bias * 4, 1, I, O, 0, 0, 2);
  for (let o = 0; o < O; o++) {
    let expected = floats[bias + o];
    for (let i = 0; i < I; i++) expected += floats[i] * floats[weights + o * I + i];
    if (Math.abs(floats[out + o] - expected) > 1e-4) return false;
  }
  return true;
}

export interface KernelInstance extends Kernels {
  /** The compiled module, for helper threads to instantiate on the same shared memory. */
  module: WebAssembly.Module;
}

/**
 * A fresh kernel instance: with its own memory, or on `shared` memory (the threads builds).
 * `allowRelaxed: false` forces the baseline build (for comparisons); otherwise relaxed SIMD is used
 * where the engine supports it and it computes right.
 */
export async function instantiateKernels(allowRelaxed = true, shared?: WebAssembly.Memory): Promise<KernelInstance> {
  const imports: WebAssembly.Imports = shared ? { env: { memory: shared } } : {};
  const suffix = shared ? '-threads' : '';
  let reason = allowRelaxed ? 'relaxed SIMD is not supported by this engine' : 'relaxed SIMD turned off by the caller';
  if (allowRelaxed && relaxedSimdSupported()) {
    const module = await compile(`relaxed-simd${suffix}`);
    const kernels = (await WebAssembly.instantiate(module, imports)).exports as unknown as KernelExports;
    if (passesFusedMultiplyAddTest(kernels)) {
      // A wrong i8 dot product only costs int8 layers the relaxed kernel: they widen to i16 instead.
      const relaxedDot = passesInt8DotTest(kernels);
      const dot = relaxedDot ? 'and the i8 dot product' : '(its i8 dot product failed the self-test: int8 layers use the i16 one)';
      return { exports: kernels, build: 'relaxed-simd', reason: `relaxed SIMD with fused multiply-add ${dot}`, module, relaxedDot };
    }
    reason = 'relaxed SIMD failed its self-test: this engine computes fused multiply-add wrong';
  }
  const module = await compile(`simd${suffix}`);
  const kernels = (await WebAssembly.instantiate(module, imports)).exports as unknown as KernelExports;
  return { exports: kernels, build: 'simd', reason: `baseline SIMD (${reason})`, module, relaxedDot: false };
}
