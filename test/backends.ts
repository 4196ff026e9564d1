// The backends every op test runs on. One that cannot run here is listed with the reason, so the
// test report says "skipped" by name instead of silently testing less.
import type { Arithmetic, Backend } from '../src/backends/backend.js';
import { WasmBackend } from '../src/backends/wasm/backend.js';
import { relaxedSimdSupported } from '../src/backends/wasm/kernels.js';
import { findChromium } from '../tools/chromium.js';
import { RemoteWebGpuBackend } from './webgpu-remote.js';

/** How far a backend's f32 sums may be from a reference's (another order of additions): |a - r| <= atol + rtol |r|. */
export interface F32Tolerance {
  atol: number;
  rtol: number;
}

export interface BackendUnderTest {
  name: string;
  /** Why it cannot run in this environment; undefined when it can. */
  absentBecause?: string;
  /** For suites without tolerances of their own (ONNX's test data); op tables state theirs per op. */
  tolerance: F32Tolerance;
  create(): Promise<Backend>;
}

/** A wasm kernel build, run at every count of THREAD_COUNTS_UNDER_TEST. */
export interface WasmBuildUnderTest {
  name: string;
  absentBecause?: string;
  tolerance: F32Tolerance;
  /** With f32 arithmetic unless `arithmetic` says otherwise. */
  create(threads: number, arithmetic?: Arithmetic): Promise<WasmBackend>;
}

/** 1 is the single-threaded engine; 3 splits no table's items evenly; 4 is more threads than this machine's cores. */
export const THREAD_COUNTS_UNDER_TEST = [1, 2, 3, 4];

/** A backend with exactly `threads` threads running (helpers that cannot start would fail the test here). */
async function wasmWithThreads(threads: number, relaxedSimd: boolean, arithmetic: Arithmetic = 'f32'): Promise<WasmBackend> {
  const backend = await WasmBackend.create({ relaxedSimd, threads, arithmetic });
  if (backend.threads.count !== threads) throw new Error(`${threads} threads asked for, ${backend.threads.reason}`);
  if (relaxedSimd && backend.build !== 'relaxed-simd') throw new Error(`relaxed SIMD validated but was not used: ${backend.buildReason}`);
  return backend;
}

/** f32 in registers, sums in blocks of 4 or 8 lanes (fused multiply-add in the relaxed build). */
const WASM_TOLERANCE: F32Tolerance = { atol: 1e-5, rtol: 1e-4 };
/** A GPU sums in workgroup trees and may flush denormals or fuse differently by driver. */
const WEBGPU_TOLERANCE: F32Tolerance = { atol: 1e-4, rtol: 1e-3 };

export const WASM_BUILDS_UNDER_TEST: WasmBuildUnderTest[] = [
  { name: 'wasm (baseline SIMD)', tolerance: WASM_TOLERANCE, create: (threads, arithmetic) => wasmWithThreads(threads, false, arithmetic) },
  {
    name: 'wasm (relaxed SIMD)',
    tolerance: WASM_TOLERANCE,
    absentBecause: relaxedSimdSupported() ? undefined : 'this engine has no relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)',
    create: (threads, arithmetic) => wasmWithThreads(threads, true, arithmetic),
  },
];

// Chromium's WebGPU (SwiftShader on machines without a GPU); the adapter is printed when it opens.
const webgpuAbsentBecause = findChromium() || process.env.CI ? undefined : 'no Chromium here (apt-get install -y chromium)';

export const WEBGPU_UNDER_TEST: BackendUnderTest = {
  name: 'webgpu (headless Chromium)',
  absentBecause: webgpuAbsentBecause,
  tolerance: WEBGPU_TOLERANCE,
  create: async () => {
    const backend = await RemoteWebGpuBackend.create();
    console.log(`webgpu op tests run on: ${backend.adapter}`);
    return backend;
  },
};

/** The int8 fully connected kernel's other unpacking path: shift-and-sign-extend, where WGSL lacks unpack4xI8. */
export const WEBGPU_SHIFT_UNPACK: BackendUnderTest = {
  name: 'webgpu, int8 unpacked with shifts (headless Chromium)',
  absentBecause: webgpuAbsentBecause,
  tolerance: WEBGPU_TOLERANCE,
  create: async () => {
    const backend = await RemoteWebGpuBackend.create({ int8Unpack: 'shifts' });
    console.log(`webgpu op tests run on: ${backend.adapter}`);
    return backend;
  },
};

/** Uploads `input`, runs `op` into a fresh output of `outElements`, reads it back. */
export async function runOp(
  backend: Backend, input: Float32Array, outElements: number, op: (out: unknown, input: unknown) => void,
): Promise<Float32Array> {
  const inputTensor = backend.allocate(input.length);
  const outTensor = backend.allocate(outElements);
  backend.write(inputTensor, input);
  op(outTensor, inputTensor);
  const result = await backend.read(outTensor, outElements);
  backend.release(inputTensor);
  backend.release(outTensor);
  return result;
}
