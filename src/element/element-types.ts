// What <alexnet-classifier> tells a page and takes from it: its events' details and its attributes.
import type { BackendChange, Classification, LoadProgress } from '../browser/index.js';

export type BackendAttribute = 'auto' | 'wasm' | 'webgpu';

export interface ReadyDetail {
  backend: string;
  reason: readonly string[];
  /** CPU threads computing (wasm); 1 on WebGPU. */
  threads: number;
  /** 'int8' where int8 weights multiply as 8-bit integers (wasm), else 'f32'. */
  arithmetic: 'int8' | 'f32';
}

export interface ResultDetail {
  results: Classification[];
  /** The name in the model file's metadata: which model gave these results. */
  model: string;
  backend: string;
  threads: number;
  /** Milliseconds from the call to the answer (decode, preprocess, inference). */
  ms: number;
}

export interface ErrorDetail {
  error: unknown;
  code: string;
  message: string;
}

/** The element's attributes, as JSX writes them (types/react.d.ts, types/preact.d.ts). */
export interface AlexNetClassifierAttributes {
  src?: string;
  /** The model file; the bundled demo model when absent. */
  weights?: string;
  backend?: BackendAttribute;
  arithmetic?: 'int8' | 'f32';
  'top-k'?: number | string;
  integrity?: string;
  'no-worker'?: boolean;
  'no-cache'?: boolean;
}

/** The element's own events, with their details; `addEventListener` knows them. */
export interface AlexNetClassifierEventMap extends Omit<HTMLElementEventMap, 'error' | 'progress'> {
  progress: CustomEvent<LoadProgress>;
  ready: CustomEvent<ReadyDetail>;
  result: CustomEvent<ResultDetail>;
  error: CustomEvent<ErrorDetail>;
  backendchange: CustomEvent<BackendChange>;
}
