// What a classifier is to its callers: the options, the calls and the events, the same in browsers and
// Node (the image and weights types are each platform's).
import type { Arithmetic, BackendName } from '../backends/backend.js';
import type { Classification } from '../classify/top-k.js';
import type { Profile } from '../engine/network.js';
import type { ImageInput } from '../image/image-input.js';
import type { PortableByteSource } from '../io/open-bytes.js';
import type { ModelMetadata } from '../model/metadata.js';
import type { LoadProgress } from '../weights/stream-loader.js';

export type { Classification } from '../classify/top-k.js';
export type { LoadProgress } from '../weights/stream-loader.js';

export interface ClassifierOptions<WeightsSource = PortableByteSource> {
  /** The model file (a path, URL, bytes, Blob, stream or Response); the bundled demo model when omitted. */
  weights?: WeightsSource;
  /** Browsers: run in a module Worker (default, where Workers exist); false runs on the calling thread. Node: ignored. */
  worker?: boolean;
  /** Browsers: keep the verified weights file in the Cache API for the next load and offline use (default true). Node: ignored. */
  cache?: boolean;
  /** 'auto' (default): WebGPU on a real GPU that passes a self-test, else WebAssembly; see backendReason. */
  backend?: 'auto' | BackendName;
  /**
   * Threads of the wasm backend: default every core the platform reports (at most 8); 1 keeps to the
   * calling thread. Browsers need a cross-origin isolated page (COOP/COEP) for more than one; see
   * `threads` and backendReason on the classifier for what runs.
   */
  threads?: number;
  /** Use the relaxed-SIMD kernels (fused multiply-add, the i8 dot product) where the engine has them (default true). */
  relaxedSimd?: boolean;
  /**
   * How layers with int8 weights multiply on wasm: 'int8' (default) multiplies 8-bit integers, the
   * activations quantized per image (W8A8: faster, within the accuracy gates of README); 'f32' widens
   * the weights to floats. Float weight files and WebGPU always compute in f32; backendReason says which runs.
   */
  arithmetic?: Arithmetic;
  /**
   * The most bytes the network's activations (the two ping-pong buffers of the largest layer output,
   * x the batch) and its convolutions' working memory may take: a network or batch that needs more is
   * refused with OUT_OF_MEMORY before anything is allocated (default 2 GiB).
   */
  maxActivationBytes?: number;
  /** Images with more pixels are refused with IMAGE_INVALID, before decoding where the format declares its size (default 50,000,000). */
  maxImagePixels?: number;
  /** Subresource Integrity of the weights file, "sha256-<base64>": checked while it streams in. */
  integrity?: string;
  /** Progress of the weights download: bytes and tensors, monotonic, ends with phase 'done'. */
  onProgress?(progress: LoadProgress): void;
  signal?: AbortSignal;
}

export interface ClassifyOptions {
  /** How many classes to return, best first (default 5). */
  topK?: number;
  signal?: AbortSignal;
}

/** Where a classifier runs after a backend change (or a change of its thread count), and why. */
export interface BackendChange {
  backend: BackendName;
  backendReason: readonly string[];
  threads: number;
  arithmetic: Arithmetic;
}

export interface Classifier<Image = ImageInput> {
  readonly backend: BackendName;
  /**
   * Why each backend was taken or skipped, e.g. "wasm: selected, relaxed SIMD with fused multiply-add",
   * and on wasm how many threads run and why ("wasm: 2 threads (every core: 2 reported)").
   */
  readonly backendReason: readonly string[];
  /** CPU threads computing (wasm); 1 on WebGPU. Drops, with a 'backendchange', if a helper thread dies. */
  readonly threads: number;
  /** 'int8' where at least one layer multiplies 8-bit integers (see backendReason for which), else 'f32'. */
  readonly arithmetic: Arithmetic;
  /** [C, H, W] of one input image. */
  readonly inputShape: readonly [number, number, number];
  readonly labels: readonly string[];
  readonly metadata: ModelMetadata;
  /** Raw network output [batch, classes] for preprocessed NCHW input [batch, C, H, W]. */
  infer(input: Float32Array, options?: { batch?: number }): Promise<Float32Array>;
  /**
   * Like infer, with the time each layer took: on WebGPU from the GPU's timestamp queries where the
   * adapter has them (clock 'device'), else wall time per layer (clock 'wall').
   */
  profile(input: Float32Array, options?: { batch?: number }): Promise<Profile>;
  /** Top-k classes of one image, or of each image in an array. */
  classify(image: Image, options?: ClassifyOptions): Promise<Classification[]>;
  classify(images: Image[], options?: ClassifyOptions): Promise<Classification[][]>;
  /**
   * 'backendchange' fires when a lost GPU device made the classifier move (to a new device or to wasm),
   * or when a wasm helper thread died and the others carry on.
   */
  addEventListener(type: 'backendchange', listener: (event: CustomEvent<BackendChange>) => void): void;
  removeEventListener(type: 'backendchange', listener: (event: CustomEvent<BackendChange>) => void): void;
  /**
   * Resolves true once the weights file is stored for offline use (browsers, `cache: true`), else false.
   * A fast download is stored after the first result (a slow one while it arrives); asking starts it now.
   */
  whenCached(): Promise<boolean>;
  /** Preprocessed input tensor [C, H, W] for one image, as classify computes it. */
  preprocess(image: Image): Promise<Float32Array>;
  /**
   * Frees the model at once (later calls reject with DISPOSED); the promise resolves once its threads
   * (and, in browsers, its worker) have ended. Awaiting it is optional.
   */
  dispose(): Promise<void>;
}
