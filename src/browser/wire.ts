// What travels between a page and its alexnet-web worker.
import type { Arithmetic, BackendName } from '../backends/backend.js';
import type { BackendChange, Classification, ClassifierOptions } from '../classifier/api.js';
import type { Profile } from '../engine/network.js';
import type { RgbaImage } from '../image/rgba-image.js';
import type { LoadProgress } from '../weights/stream-loader.js';
import type { ModelMetadata } from '../model/metadata.js';

/** Images a worker can receive: bitmaps (transferred), pixels, Blobs and absolute URLs. */
export type WireImage = ImageBitmap | ImageData | RgbaImage | Blob | string;

/** Weights a worker can receive; a Response travels as its body stream and length. */
export type WireWeights = string | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | { body: ReadableStream<Uint8Array>; totalBytes: number | null };

export type WireLoadOptions = Pick<ClassifierOptions<never>, 'backend' | 'threads' | 'relaxedSimd' | 'integrity' | 'arithmetic' | 'maxImagePixels' | 'maxActivationBytes'> & {
  weights?: WireWeights;
  cache: boolean;
};

/** The loaded classifier's description, sent back once. */
export interface ClassifierInfo {
  backend: BackendName;
  backendReason: string[];
  threads: number;
  arithmetic: Arithmetic;
  inputShape: [number, number, number];
  labels: string[];
  metadata: ModelMetadata;
}

/**
 * The page starts the worker's helper threads (so no worker owns workers): the thread script at
 * `url`, greeted with `port`, over which the worker then talks to it; `onError` hears why it failed.
 */
export type PageThreadStarter = (url: string, name: string, port: MessagePort, onError: (why: string) => void) => { terminate(): void };

/** An answer, with the buffers its inputs came in (transferred there and back, see input-buffers.ts). */
export interface WithInputBuffers<T> {
  answer: T;
  inputBuffers: ArrayBuffer[];
}

/** The worker's API; `call` ids let a page abort one call. */
export interface WorkerApi {
  load(
    options: WireLoadOptions, onProgress: ((progress: LoadProgress) => void) | undefined, onBackendChange: (change: BackendChange) => void,
    startThread: PageThreadStarter,
  ): Promise<ClassifierInfo>;
  classify(call: number, images: WireImage[], topK: number | undefined): Promise<WithInputBuffers<Classification[][]>>;
  infer(call: number, input: Float32Array, batch: number | undefined): Promise<WithInputBuffers<Float32Array>>;
  profile(call: number, input: Float32Array, batch: number | undefined): Promise<WithInputBuffers<Profile>>;
  preprocess(call: number, image: WireImage): Promise<WithInputBuffers<Float32Array>>;
  whenCached(): Promise<boolean>;
  abort(call: number): void;
  /** Frees the model; resolves once a cache write in progress has finished, so the worker can end. */
  dispose(): Promise<void>;
}
