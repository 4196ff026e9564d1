// The classifier: a loaded model on a backend, turning images into ranked labels.
// Platform entries (node/index.ts, later the browser's) supply how bytes and images are read.
import type { Arithmetic, Backend, BackendName } from './backends/backend.js';
import { selectBackend, type SelectedBackend } from './backends/select-backend.js';
import type { ThreadStarter } from './backends/wasm/helper-worker.js';
import { softmaxRow, topK, type Classification } from './classify/top-k.js';
import { DEFAULT_MAX_ACTIVATION_BYTES, Network, type Profile } from './engine/network.js';
import { AlexNetError, describeValue } from './errors.js';
import type { ImageInput } from './image/image-input.js';
import { preprocessImage } from './image/preprocess.js';
import { DEFAULT_MAX_IMAGE_PIXELS, type RgbaImage } from './image/rgba-image.js';
import type { PortableByteSource } from './io/open-bytes.js';
import type { ModelMetadata } from './model/metadata.js';
import { inputShapeOf } from './model/shapes.js';
import type { ModelHeader } from './weights/model-file.js';
import { streamModel, type LoadProgress } from './weights/stream-loader.js';

export type { Classification } from './classify/top-k.js';
export type { LoadProgress } from './weights/stream-loader.js';

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

/** An opened weights file, and what to do once it was read (a platform's cache hooks in here). */
export interface OpenedWeights {
  stream: ReadableStream<Uint8Array>;
  /** Size when known (Content-Length, file size). */
  totalBytes: number | null;
  /** "xxh32-<hex>" a cached copy was stored with: checked while it streams. */
  checksum?: string;
  /** The caller's integrity was already verified on exactly these bytes (a cached copy's record says so). */
  integrityVerified?: boolean;
  /**
   * After the whole file was read and verified; resolves true once a copy was stored for offline use.
   * `firstAnswer` resolves when the classifier has answered its first call (or was disposed): work
   * that can wait, like writing the copy, starts then, so it does not slow the first result.
   */
  commit?(firstAnswer: Promise<void>): Promise<boolean>;
  /** After reading failed; true when the source was dropped (a bad cached copy) and opening again may work. */
  abandon?(error: unknown): Promise<boolean>;
}

export interface Platform<WeightsSource, ImageInput> {
  /** Where the wasm backend's helper threads start; absent: in this context. */
  startThread?: ThreadStarter;
  /** Lines backendReason starts with: where the engine runs and why, when the platform chose it. */
  notes?: readonly string[];
  defaultWeights(): WeightsSource;
  openWeights(source: WeightsSource, signal?: AbortSignal): Promise<OpenedWeights>;
  /** RGBA pixels of `image`; IMAGE_INVALID for one over `maxPixels` (before decoding where the format says its size). */
  decodeImage(image: ImageInput, signal: AbortSignal | undefined, maxPixels: number): Promise<RgbaImage>;
}

/** Drops progress events that would go backwards (a second attempt after a bad cached copy starts at 0 again). */
function monotonic(onProgress: ((progress: LoadProgress) => void) | undefined): ((progress: LoadProgress) => void) | undefined {
  if (!onProgress) return undefined;
  let last = -1;
  return (progress) => {
    // 'done' always passes: callers wait for it.
    if (progress.loadedBytes < last && progress.phase !== 'done') return;
    last = progress.loadedBytes;
    onProgress(progress);
  };
}

function checkTopK(k: number | undefined, classes: number): number {
  if (k === undefined) return Math.min(5, classes);
  if (!Number.isInteger(k) || k < 1) throw new AlexNetError('INVALID_ARGUMENT', `topK must be a positive integer, found ${k}.`);
  return Math.min(k, classes);
}

interface LoadedNetwork {
  network: Network<unknown, unknown>;
  model: ModelHeader;
  /** Resolves once a copy was stored for offline use. */
  cached: Promise<boolean>;
}

/**
 * Streams the weights into `backend`, layer by layer; opens the source again when the platform drops
 * a bad copy (a damaged cache entry). Frees what it uploaded when it fails.
 */
async function loadNetwork<WeightsSource>(
  platform: Platform<WeightsSource, unknown>, backend: Backend, source: WeightsSource, firstOpen: OpenedWeights | undefined,
  options: Pick<ClassifierOptions<WeightsSource>, 'integrity' | 'signal' | 'onProgress' | 'maxActivationBytes'> & { firstAnswer?: Promise<void> },
): Promise<LoadedNetwork> {
  const { signal } = options;
  let network: Network<unknown, unknown> | undefined;
  for (let opened = firstOpen ?? await platform.openWeights(source, signal); ; opened = await platform.openWeights(source, signal)) {
    try {
      const model = await streamModel(opened.stream, {
        totalBytes: opened.totalBytes,
        integrity: opened.integrityVerified ? undefined : options.integrity,
        checksum: opened.checksum,
        signal,
        onProgress: options.onProgress,
        // Straight into the backend's memory where it has some to offer.
        stage: backend.stage && ((bytes, alignAt) => backend.stage!(bytes, alignAt)),
        onHeader: (header) => {
          network = new Network(backend, header.plans, options.maxActivationBytes ?? DEFAULT_MAX_ACTIVATION_BYTES);
          // While the first layers download: the first inference then finds its memory ready.
          network.prepare();
        },
        onLayer: (name, weights) => network!.loadLayer(name, weights),
      });
      // Storing the copy finishes in the background: the classifier is ready now.
      const cached = opened.commit?.(options.firstAnswer ?? Promise.resolve()).catch(() => false) ?? Promise.resolve(false);
      return { network: network!, model, cached };
    } catch (error) {
      network?.dispose();
      network = undefined;
      if (!(await opened.abandon?.(error))) throw error;
    }
  }
}

/**
 * loadNetwork, then the backend's own check: a GPU reports failed allocations asynchronously, so
 * they surface here, before the classifier is ready, and not at its first call. The file stays cached.
 */
async function loadChecked<WeightsSource>(...args: Parameters<typeof loadNetwork<WeightsSource>>): Promise<LoadedNetwork> {
  const [, backend] = args;
  const loaded = await loadNetwork(...args);
  try {
    await backend.settle?.();
  } catch (error) {
    loaded.network.dispose();
    throw error;
  }
  return loaded;
}

function threadsOf(backend: Backend): number {
  return backend.threads?.count ?? 1;
}

function arithmeticOf(backend: Backend): Arithmetic {
  return backend.arithmetic?.name ?? 'f32';
}

/** The selection's reasons, the arithmetic line and, on wasm, the line saying how many threads run now and why. */
function reasonsOf(backend: Backend, selection: readonly string[]): readonly string[] {
  const arithmetic = backend.arithmetic?.reason ?? `${backend.name}: f32 arithmetic (int8 arithmetic runs on wasm)`;
  return backend.threads ? [...selection, arithmetic, backend.threads.reason] : [...selection, arithmetic];
}

/** Whether `source` can be read a second time (a Response or a stream cannot). */
function canReopen(source: unknown): boolean {
  return !(typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) && !(typeof Response !== 'undefined' && source instanceof Response);
}

export async function createClassifierOn<WeightsSource, ImageInput>(
  platform: Platform<WeightsSource, ImageInput>, options: ClassifierOptions<WeightsSource> = {},
): Promise<Classifier<ImageInput>> {
  const { signal } = options;
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new AlexNetError('INVALID_ARGUMENT', `threads must be a positive integer, found ${options.threads}.`);
  }
  if (options.arithmetic !== undefined && options.arithmetic !== 'int8' && options.arithmetic !== 'f32') {
    throw new AlexNetError('INVALID_ARGUMENT', `arithmetic must be 'int8' or 'f32', found ${describeValue(options.arithmetic)}.`);
  }
  if (options.maxActivationBytes !== undefined && !(options.maxActivationBytes > 0)) {
    throw new AlexNetError('INVALID_ARGUMENT', `maxActivationBytes must be a positive number, found ${describeValue(options.maxActivationBytes)}.`);
  }
  const maxImagePixels = options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  if (!(Number.isInteger(maxImagePixels) && maxImagePixels > 0)) {
    throw new AlexNetError('INVALID_ARGUMENT', `maxImagePixels must be a positive integer, found ${describeValue(options.maxImagePixels)}.`);
  }
  signal?.throwIfAborted();
  // The download starts while the kernels compile; its first bytes wait in the stream.
  const source = options.weights ?? platform.defaultWeights();
  const choice = { ...options, startThread: platform.startThread };
  const notes = platform.notes ?? [];
  const [backendResult, firstOpen] = await Promise.allSettled([selectBackend(choice), platform.openWeights(source, signal)]);
  if (backendResult.status === 'rejected' || firstOpen.status === 'rejected') {
    if (firstOpen.status === 'fulfilled') {
      // abandon() also ends a cache write the download had started.
      await firstOpen.value.stream.cancel().catch(() => undefined);
      await firstOpen.value.abandon?.(backendResult.status === 'rejected' ? backendResult.reason : undefined).catch(() => undefined);
    }
    if (backendResult.status === 'fulfilled') backendResult.value.backend.dispose();
    throw backendResult.status === 'rejected' ? backendResult.reason : (firstOpen as PromiseRejectedResult).reason;
  }
  let { backend, reasons } = backendResult.value;
  let answered!: () => void;
  const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
  const loadOptions = { ...options, onProgress: monotonic(options.onProgress), firstAnswer };
  let loaded: LoadedNetwork;
  try {
    loaded = await loadChecked(platform, backend, source, firstOpen.value, loadOptions);
  } catch (error) {
    backend.dispose();
    // A GPU that cannot hold the model, under 'auto': WebAssembly can (the source is opened again, from the cache if it was stored).
    const outOfMemory = error instanceof AlexNetError && error.code === 'OUT_OF_MEMORY';
    if (!(backend.name === 'webgpu' && options.backend !== 'webgpu' && outOfMemory && canReopen(source))) throw error;
    const wasm = await selectBackend({ ...choice, backend: 'wasm' });
    backend = wasm.backend;
    reasons = [`webgpu: dropped after loading, ${error.message}`, ...wasm.reasons];
    try {
      loaded = await loadNetwork(platform, backend, source, undefined, loadOptions);
    } catch (retryError) {
      backend.dispose();
      throw retryError;
    }
  }
  const { model, cached } = loaded;
  let { network } = loaded;
  const { metadata } = model;
  const inputShape = inputShapeOf(metadata.network);
  const perImage = inputShape[0] * inputShape[1] * inputShape[2];
  const endsInSoftmax = metadata.network.layers[metadata.network.layers.length - 1].type === 'softmax';
  const events = new EventTarget();
  let disposed = false;
  /** What dispose() returns: resolves once the backend's threads have ended. */
  let disposal = Promise.resolve();
  let threads = threadsOf(backend);
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

  // A lost GPU device: load the model again on a new device, or on WebAssembly, and tell the app.
  // One-shot sources (a consumed Response or stream) cannot be read twice: then the classifier ends.
  const recover = async (): Promise<void> => {
    network.dispose();
    backend.dispose();
    let retry: SelectedBackend | undefined;
    try {
      // A GPU that ran out of memory would again: under 'auto' the model moves to WebAssembly.
      retry = options.backend === 'webgpu'
        ? await selectBackend(choice).catch(() => selectBackend({ ...choice, backend: 'wasm' }))
        : await selectBackend(backend.lost === 'out-of-memory' ? { ...choice, backend: 'wasm' } : choice);
      const reloaded = await loadChecked(platform, retry.backend, source, undefined, { integrity: options.integrity });
      if (disposed) {
        reloaded.network.dispose();
        throw new AlexNetError('DISPOSED', 'This classifier was disposed while it recovered from a lost GPU device.');
      }
      network = reloaded.network;
    } catch (error) {
      retry?.backend.dispose();
      disposed = true;
      if (error instanceof AlexNetError && error.code === 'DISPOSED') throw error;
      throw new AlexNetError('BACKEND_FAILED', `The GPU device was lost and the model could not be loaded again (${(error as Error).message}). Create a new classifier.`, { cause: error });
    }
    backend = retry.backend;
    reasons = [`${backend.name}: selected after the previous device was lost`, ...retry.reasons];
    announceBackend();
  };
  const announceBackend = (): void => {
    threads = threadsOf(backend);
    events.dispatchEvent(new CustomEvent<BackendChange>('backendchange', { detail: { backend: backend.name, backendReason: [...notes, ...reasonsOf(backend, reasons)], threads, arithmetic: arithmeticOf(backend) } }));
  };
  // A helper thread that died is noticed after the call it failed in: the app hears of the change.
  const noticeThreadChange = (): void => {
    if (threadsOf(backend) !== threads) announceBackend();
  };
  const run = <T>(work: (network: Network<unknown, unknown>) => Promise<T>): Promise<T> => enqueue(async () => {
    try {
      return await work(network);
    } catch (error) {
      // dispose() destroys the device too: that is not a loss to recover from.
      if (disposed || !backend.lost) throw error;
      await recover();
      return work(network);
    } finally {
      answered();
      if (!disposed) noticeThreadChange();
    }
  });
  const batchOf = (input: Float32Array, batch?: number): number => batch ?? Math.max(1, Math.round(input.length / perImage));

  const classifier: Classifier<ImageInput> = {
    get backend() {
      return backend.name;
    },
    get backendReason() {
      return [...notes, ...reasonsOf(backend, reasons)];
    },
    get threads() {
      return threadsOf(backend);
    },
    get arithmetic() {
      return arithmeticOf(backend);
    },
    inputShape,
    labels: metadata.labels,
    metadata,
    addEventListener: (type, listener) => events.addEventListener(type, listener as EventListener),
    removeEventListener: (type, listener) => events.removeEventListener(type, listener as EventListener),
    whenCached: () => {
      // Whoever waits for the copy wants it now, not after the first result.
      answered();
      return cached;
    },
    infer: (input, { batch } = {}) => run((n) => n.run(input, batchOf(input, batch))),
    profile: (input, { batch } = {}) => run((n) => n.runProfiled(input, batchOf(input, batch), true)),
    async preprocess(image) {
      return preprocessImage(await platform.decodeImage(image, undefined, maxImagePixels), metadata.preprocess, metadata.network.input);
    },
    classify: (async (images: ImageInput | ImageInput[], options: ClassifyOptions = {}) => {
      const list = Array.isArray(images) ? images : [images];
      if (list.length === 0) return [];
      const k = checkTopK(options.topK, metadata.labels.length);
      const input = new Float32Array(list.length * perImage);
      for (let i = 0; i < list.length; i++) {
        const decoded = await platform.decodeImage(list[i], options.signal, maxImagePixels);
        preprocessImage(decoded, metadata.preprocess, metadata.network.input, input, i * perImage);
      }
      options.signal?.throwIfAborted();
      const output = await run((n) => n.run(input, list.length, options.signal));
      const classes = metadata.labels.length;
      const results = list.map((_, i) => {
        const row = output.subarray(i * classes, (i + 1) * classes);
        return topK(endsInSoftmax ? row : softmaxRow(row), metadata.labels, k);
      });
      return Array.isArray(images) ? results : results[0];
    }) as Classifier<ImageInput>['classify'],
    dispose() {
      if (disposed) return disposal;
      disposed = true;
      answered();
      network.dispose();
      disposal = Promise.resolve(backend.dispose());
      return disposal;
    },
  };
  return classifier;
}
