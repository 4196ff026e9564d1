// Loads alexnet-web.wasm (built from assembly/) and types its exports.
import wasmUrl from 'alexnet-web:wasm-url';
import { AlexNetError } from '../../errors.js';

/** The exports of assembly/index.ts; pointers are byte offsets into `memory`. */
export interface Kernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  MR: WebAssembly.Global;
  NR: WebAssembly.Global;
  conv2dScratchBytes(C: number, K: number, R: number, S: number, G: number, OH: number, OW: number): number;
  conv2dPackedWeightFloats(C: number, K: number, R: number, S: number, G: number): number;
  conv2d(
    out: number, input: number, packedWeights: number, bias: number, scratch: number,
    N: number, C: number, H: number, W: number, K: number, R: number, S: number, G: number,
    strideH: number, strideW: number, padTop: number, padLeft: number, OH: number, OW: number, relu: number,
  ): void;
  maxPool(
    out: number, input: number, planes: number, H: number, W: number, OH: number, OW: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number, padTop: number, padLeft: number,
  ): void;
  lrn(out: number, input: number, N: number, C: number, HW: number, size: number, alpha: number, beta: number, k: number): void;
  fullyConnectedInt8(out: number, input: number, weights: number, scales: number, bias: number, N: number, I: number, O: number, relu: number): void;
  fullyConnectedF32(out: number, input: number, weights: number, bias: number, N: number, I: number, O: number, relu: number): void;
  softmax(out: number, input: number, N: number, D: number): void;
}

let compiled: Promise<WebAssembly.Module> | undefined;

async function fetchBytes(url: URL): Promise<ArrayBuffer> {
  if (url.protocol === 'file:') {
    // Node's fetch does not read file: URLs.
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(url);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return response.arrayBuffer();
}

/** Compiles the kernels once per process; each call returns a fresh instance with its own memory. */
export async function instantiateKernels(url: URL = wasmUrl): Promise<Kernels> {
  compiled ??= fetchBytes(url)
    .then((bytes) => WebAssembly.compile(bytes))
    .catch((error) => {
      compiled = undefined;
      throw new AlexNetError(
        'BACKEND_UNAVAILABLE',
        `Could not load the WebAssembly kernels from ${url} (${(error as Error).message}). Serve alexnet-web.wasm next to the alexnet-web JS files; SIMD support is required (Node 16.4+, Chrome 91+, Firefox 89+, Safari 16.4+).`,
        { cause: error },
      );
    });
  const instance = await WebAssembly.instantiate(await compiled, {});
  return instance.exports as unknown as Kernels;
}
