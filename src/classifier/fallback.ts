// The one policy for moving a model to another backend: when a GPU cannot hold it at load, and when a
// device is lost or runs out of memory while the classifier runs. (Which backend comes first at all is
// select-backend.ts's choice.)
import type { BackendName } from '../backends/backend.js';

/** Why a backend could not go on. */
export type BackendFailure = 'out-of-memory' | 'device-lost';

/** What to select next, in order; empty: nothing, the error stands. */
export function fallbackChoices(
  asked: 'auto' | BackendName, failed: BackendName, failure: BackendFailure, when: 'loading' | 'running',
): ('auto' | BackendName)[] {
  if (when === 'loading') {
    // A GPU that cannot hold the model, under 'auto': WebAssembly can. Asked for WebGPU: the error stands.
    return failed === 'webgpu' && asked !== 'webgpu' && failure === 'out-of-memory' ? ['wasm'] : [];
  }
  // The model did fit once. Asked for WebGPU: a new device if one comes, else WebAssembly.
  if (asked === 'webgpu') return ['webgpu', 'wasm'];
  // A GPU that ran out of memory would again; a lost one may come back (a driver reset).
  return failure === 'out-of-memory' ? ['wasm'] : [asked];
}
