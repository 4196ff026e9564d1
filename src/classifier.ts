// The classifier: a loaded model on a backend, turning images into ranked labels.
// Platform entries (node/index.ts, later the browser's) supply how bytes and images are read.
import type { BackendName } from './backends/backend.js';
import { selectBackend } from './backends/select-backend.js';
import { softmaxRow, topK, type Classification } from './classify/top-k.js';
import { Network, type LayerTime } from './engine/network.js';
import { AlexNetError } from './errors.js';
import { preprocessImage, type RgbaImage } from './image/preprocess.js';
import type { ModelMetadata } from './model/metadata.js';
import { inputShapeOf } from './model/shapes.js';
import { streamModel, type LoadProgress } from './weights/stream-loader.js';

export type { Classification } from './classify/top-k.js';
export type { LoadProgress } from './weights/stream-loader.js';

export interface ClassifierOptions<WeightsSource> {
  /** The model file; the bundled demo model when omitted. */
  weights?: WeightsSource;
  /** 'auto' (default): WebGPU on a real GPU that passes a self-test, else WebAssembly; see backendReason. */
  backend?: 'auto' | BackendName;
  /** Worker threads for the wasm backend; 1 for now (accepted so code written today keeps working). */
  threads?: number;
  /** Use the relaxed-SIMD kernels (fused multiply-add) where the engine has them (default true). */
  relaxedSimd?: boolean;
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

export interface Classifier<ImageInput> {
  readonly backend: BackendName;
  /** Why each backend was taken or skipped, e.g. "wasm: selected, relaxed SIMD with fused multiply-add". */
  readonly backendReason: readonly string[];
  /** [C, H, W] of one input image. */
  readonly inputShape: readonly [number, number, number];
  readonly labels: readonly string[];
  readonly metadata: ModelMetadata;
  /** Raw network output [batch, classes] for preprocessed NCHW input [batch, C, H, W]. */
  infer(input: Float32Array, options?: { batch?: number }): Promise<Float32Array>;
  /** Like infer, with the time each layer took (wasm: wall time per layer). */
  profile(input: Float32Array, options?: { batch?: number }): Promise<{ output: Float32Array; layerTimes: LayerTime[] }>;
  /** Top-k classes of one image, or of each image in an array. */
  classify(image: ImageInput, options?: ClassifyOptions): Promise<Classification[]>;
  classify(images: ImageInput[], options?: ClassifyOptions): Promise<Classification[][]>;
  /** Resolves true once the weights file is stored for offline use (browsers, `cache: true`), else false. */
  whenCached(): Promise<boolean>;
  /** Preprocessed input tensor [C, H, W] for one image, as classify computes it. */
  preprocess(image: ImageInput): Promise<Float32Array>;
  dispose(): void;
}

/** An opened weights file, and what to do once it was read (a platform's cache hooks in here). */
export interface OpenedWeights {
  stream: ReadableStream<Uint8Array>;
  /** Size when known (Content-Length, file size). */
  totalBytes: number | null;
  /** "xxh64-<hex>" a cached copy was stored with: checked while it streams. */
  checksum?: string;
  /** The caller's integrity was already verified on exactly these bytes (a cached copy's record says so). */
  integrityVerified?: boolean;
  /** After the whole file was read and verified; resolves true once a copy was stored for offline use. */
  commit?(): Promise<boolean>;
  /** After reading failed; true when the source was dropped (a bad cached copy) and opening again may work. */
  abandon?(error: unknown): Promise<boolean>;
}

export interface Platform<WeightsSource, ImageInput> {
  defaultWeights(): WeightsSource;
  openWeights(source: WeightsSource, signal?: AbortSignal): Promise<OpenedWeights>;
  decodeImage(image: ImageInput, signal?: AbortSignal): Promise<RgbaImage>;
}

/** Drops progress events that would go backwards (a second attempt after a bad cached copy starts at 0 again). */
function monotonic(onProgress: ((progress: LoadProgress) => void) | undefined): ((progress: LoadProgress) => void) | undefined {
  if (!onProgress) return undefined;
  let last = -1;
  return (progress) => {
    if (progress.loadedBytes < last) return;
    last = progress.loadedBytes;
    onProgress(progress);
  };
}

function checkTopK(k: number | undefined, classes: number): number {
  if (k === undefined) return Math.min(5, classes);
  if (!Number.isInteger(k) || k < 1) throw new AlexNetError('INVALID_ARGUMENT', `topK must be a positive integer, found ${k}.`);
  return Math.min(k, classes);
}

export async function createClassifierOn<WeightsSource, ImageInput>(
  platform: Platform<WeightsSource, ImageInput>, options: ClassifierOptions<WeightsSource> = {},
): Promise<Classifier<ImageInput>> {
  const { signal } = options;
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new AlexNetError('INVALID_ARGUMENT', `threads must be a positive integer, found ${options.threads}.`);
  }
  signal?.throwIfAborted();
  // The download starts while the kernels compile; its first bytes wait in the stream.
  const source = options.weights ?? platform.defaultWeights();
  const [backendResult, firstOpen] = await Promise.allSettled([selectBackend(options), platform.openWeights(source, signal)]);
  if (backendResult.status === 'rejected' || firstOpen.status === 'rejected') {
    if (firstOpen.status === 'fulfilled') await firstOpen.value.stream.cancel().catch(() => undefined);
    if (backendResult.status === 'fulfilled') backendResult.value.backend.dispose();
    throw backendResult.status === 'rejected' ? backendResult.reason : (firstOpen as PromiseRejectedResult).reason;
  }
  const { backend, reasons } = backendResult.value;
  // Layers go to the backend as their bytes arrive; a failure anywhere frees what was uploaded.
  let network: Network<unknown, unknown> | undefined;
  let model;
  let cached: Promise<boolean> = Promise.resolve(false);
  const onProgress = monotonic(options.onProgress);
  try {
    for (let opened = firstOpen.value; ; opened = await platform.openWeights(source, signal)) {
      try {
        model = await streamModel(opened.stream, {
          totalBytes: opened.totalBytes,
          integrity: opened.integrityVerified ? undefined : options.integrity,
          checksum: opened.checksum,
          signal,
          onProgress,
          onHeader: (header) => {
            network = new Network(backend, header.plans);
          },
          onLayer: (name, weights) => network!.loadLayer(name, weights),
        });
        // Storing the copy finishes in the background: the classifier is ready now.
        cached = opened.commit?.().catch(() => false) ?? Promise.resolve(false);
        break;
      } catch (error) {
        network?.dispose();
        network = undefined;
        if (!(await opened.abandon?.(error))) throw error;
      }
    }
  } catch (error) {
    backend.dispose();
    throw error;
  }
  const ready = network!;
  const { metadata } = model;
  const inputShape = inputShapeOf(metadata.network);
  const perImage = inputShape[0] * inputShape[1] * inputShape[2];
  const endsInSoftmax = metadata.network.layers[metadata.network.layers.length - 1].type === 'softmax';
  let disposed = false;
  // Runs one after another in call order: activations are shared.
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(() => {
      if (disposed) throw new AlexNetError('DISPOSED', 'This classifier was disposed; create a new one.');
      return work();
    });
    queue = result.catch(() => undefined);
    return result;
  };
  const batchOf = (input: Float32Array, batch?: number): number => batch ?? Math.max(1, Math.round(input.length / perImage));

  const classifier: Classifier<ImageInput> = {
    backend: backend.name,
    backendReason: reasons,
    inputShape,
    labels: metadata.labels,
    metadata,
    whenCached: () => cached,
    infer: (input, { batch } = {}) => enqueue(() => ready.run(input, batchOf(input, batch))),
    profile: (input, { batch } = {}) => enqueue(() => ready.runProfiled(input, batchOf(input, batch), true)),
    async preprocess(image) {
      return preprocessImage(await platform.decodeImage(image), metadata.preprocess, metadata.network.input);
    },
    classify: (async (images: ImageInput | ImageInput[], options: ClassifyOptions = {}) => {
      const list = Array.isArray(images) ? images : [images];
      if (list.length === 0) return [];
      const k = checkTopK(options.topK, metadata.labels.length);
      const input = new Float32Array(list.length * perImage);
      for (let i = 0; i < list.length; i++) {
        const decoded = await platform.decodeImage(list[i], options.signal);
        preprocessImage(decoded, metadata.preprocess, metadata.network.input, input, i * perImage);
      }
      options.signal?.throwIfAborted();
      const output = await enqueue(() => ready.run(input, list.length));
      const classes = metadata.labels.length;
      const results = list.map((_, i) => {
        const row = output.subarray(i * classes, (i + 1) * classes);
        return topK(endsInSoftmax ? row : softmaxRow(row), metadata.labels, k);
      });
      return Array.isArray(images) ? results : results[0];
    }) as Classifier<ImageInput>['classify'],
    dispose() {
      if (disposed) return;
      disposed = true;
      ready.dispose();
      backend.dispose();
    },
  };
  return classifier;
}
