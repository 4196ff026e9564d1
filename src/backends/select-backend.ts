// Backend selection: WebGPU when a real GPU is usable and computes right, WebAssembly otherwise.
// Every candidate leaves a line in `reasons`, so an app can say why it runs where it runs.
import { AlexNetError } from '../errors.js';
import type { Arithmetic, Backend, BackendName } from './backend.js';
import { WasmBackend } from './wasm/backend.js';
import type { ThreadStarter } from './wasm/helper-worker.js';
import { adapterFacts } from './webgpu/adapter-facts.js';
import { WebGpuBackend } from './webgpu/backend.js';

export interface BackendChoice {
  backend?: 'auto' | BackendName;
  relaxedSimd?: boolean;
  /** Threads of the wasm backend (default: every core); WebGPU ignores it. */
  threads?: number;
  /** Where the wasm backend's helper threads start (default: in this context). */
  startThread?: ThreadStarter;
  /** Arithmetic of int8 layers on wasm (default 'int8'); WebGPU computes in f32. */
  arithmetic?: Arithmetic;
}

export interface SelectedBackend {
  backend: Backend;
  reasons: string[];
}

type GpuAttempt = { backend: WebGpuBackend; reason: string } | { backend?: undefined; reason: string };

/** A tiny fully connected layer whose answer is computed here in plain JS: catches drivers that compute wrong. */
async function passesSelfTest(backend: Backend): Promise<boolean> {
  const I = 37;
  const O = 5;
  const input = Float32Array.from({ length: I }, (_, i) => Math.sin(i));
  const weight = Float32Array.from({ length: O * I }, (_, i) => Math.cos(i * 0.37));
  const bias = Float32Array.from({ length: O }, (_, o) => o / 10);
  const weights = backend.uploadFullyConnected({ weight: { dtype: 'F32', values: weight }, bias }, { I, O });
  const x = backend.allocate(I);
  const y = backend.allocate(O);
  try {
    backend.write(x, input);
    backend.fullyConnected(y, x, weights, { N: 1, I, O, relu: false });
    const got = await backend.read(y, O);
    for (let o = 0; o < O; o++) {
      let expected = bias[o];
      for (let i = 0; i < I; i++) expected += weight[o * I + i] * input[i];
      if (!(Math.abs(got[o] - expected) <= 1e-4 * Math.max(1, Math.abs(expected)))) return false;
    }
    return true;
  } finally {
    for (const handle of [x, y, weights]) backend.release(handle as never);
  }
}

async function tryWebGpu(allowFallbackAdapter: boolean): Promise<GpuAttempt> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { reason: 'webgpu: skipped, navigator.gpu is missing (no WebGPU in this browser, context or runtime)' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { reason: `webgpu: skipped, requestAdapter failed (${(error as Error).message})` };
  }
  if (!adapter) return { reason: 'webgpu: skipped, no adapter (blocklisted GPU or WebGPU turned off)' };
  const facts = adapterFacts(adapter);
  const fallback = facts.isFallbackAdapter;
  if (fallback && !allowFallbackAdapter) {
    return { reason: `webgpu: skipped, adapter is a software fallback (${facts.architecture || 'unknown'}); WebAssembly is faster` };
  }
  let backend: WebGpuBackend;
  try {
    backend = await WebGpuBackend.create(adapter);
  } catch (error) {
    return { reason: `webgpu: skipped, the device or its pipelines could not be created (${(error as Error).message})` };
  }
  if (!(await passesSelfTest(backend).catch(() => false))) {
    backend.dispose();
    return { reason: `webgpu: skipped, ${backend.adapterDescription} failed the self-test` };
  }
  return { backend, reason: `webgpu: selected, ${backend.adapterDescription}${fallback ? ' (software fallback, forced)' : ''}, int8 weights unpacked with ${backend.int8Unpack}` };
}

/** The backend `choice.backend` asks for; 'auto' (default) prefers a usable GPU. */
export async function selectBackend(choice: BackendChoice): Promise<SelectedBackend> {
  const wanted = choice.backend ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'wasm' && wanted !== 'webgpu') {
    throw new AlexNetError('INVALID_ARGUMENT', `backend must be 'auto', 'wasm' or 'webgpu', found ${JSON.stringify(wanted)}.`);
  }
  const reasons: string[] = [];
  if (wanted !== 'wasm') {
    const gpu = await tryWebGpu(wanted === 'webgpu');
    reasons.push(gpu.reason);
    if (gpu.backend) return { backend: gpu.backend, reasons };
    if (wanted === 'webgpu') throw new AlexNetError('WEBGPU_UNAVAILABLE', `backend: 'webgpu' was asked for but cannot run here: ${gpu.reason.replace(/^webgpu: skipped, /, '')}. Use backend: 'auto' to fall back to WebAssembly.`);
  }
  const { relaxedSimd, threads, startThread, arithmetic } = choice;
  const wasm = await WasmBackend.create({ relaxedSimd, threads, startThread, arithmetic });
  reasons.push(`wasm: selected, ${wasm.buildReason}`);
  return { backend: wasm, reasons };
}
