// The page side of the alexnet-web worker: the Classifier API, each call forwarded through Comlink.
// Bitmaps made here and results move with transfer; the caller's own pixels and bytes are copied, so
// they stay usable after the call (inputs into buffers that travel there and back, input-buffers.ts).
import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { BackendChange, Classifier, ClassifierOptions, LoadProgress } from '../classifier/api.js';
import { classifierFacade } from '../classifier/facade.js';
import { AlexNetError } from '../errors.js';
import { contentLength } from '../io/resumable-download.js';
import { isRgbaImage } from '../image/rgba-image.js';
import { bytesAsBlob, isDrawable, SUPPORTED_IMAGES, toImageBitmap, type BrowserImageInput } from './decode-image.js';
import { InputBuffers } from './input-buffers.js';
import { absoluteUrl } from './page-url.js';
import { startModuleWorker } from './start-worker.js';
import { installErrorTransfer } from './wire-errors.js';
import type { PageThreadStarter, WireImage, WireWeights, WithInputBuffers, WorkerApi } from './wire.js';

let streamsTransfer: boolean | undefined;

/** Whether this browser moves a ReadableStream to a worker (Safari does not). */
function canTransferStreams(): boolean {
  if (streamsTransfer === undefined) {
    try {
      const stream = new ReadableStream();
      structuredClone(stream, { transfer: [stream as unknown as Transferable] });
      streamsTransfer = true;
    } catch {
      streamsTransfer = false;
    }
  }
  return streamsTransfer;
}

interface Wired<T> {
  value: T;
  transferables: Transferable[];
}

/** `input` as it travels to the worker; the caller's pixels copied into `buffers`' (see input-buffers.ts). */
async function wireImage(input: BrowserImageInput, buffers: InputBuffers): Promise<Wired<WireImage>> {
  const image = bytesAsBlob(input);
  const url = absoluteUrl(image);
  if (url) return { value: url, transferables: [] };
  // A copy of the caller's bitmap moves; theirs stays open.
  if (image instanceof ImageBitmap || isDrawable(image)) {
    const bitmap = await toImageBitmap(image as ImageBitmapSource);
    return { value: bitmap, transferables: [bitmap] };
  }
  if (isRgbaImage(image) && (image.data instanceof Uint8Array || image.data instanceof Uint8ClampedArray)) {
    const data = buffers.copyOf(image.data);
    return { value: { data, width: image.width, height: image.height }, transferables: [data.buffer] };
  }
  // Anything else travels as it is, for the worker to refuse with its usual error.
  if (image instanceof Blob || isRgbaImage(image)) return { value: image as WireImage, transferables: [] };
  throw new AlexNetError('IMAGE_INVALID', `Unsupported image type ${Object.prototype.toString.call(image).slice(8, -1)}; ${SUPPORTED_IMAGES}.`);
}

/** Every image wired, or none: bitmaps made for the others are closed when one fails. */
async function wireAll(images: BrowserImageInput[], buffers: InputBuffers): Promise<Wired<WireImage[]>> {
  const settled = await Promise.allSettled(images.map((image) => wireImage(image, buffers)));
  const wired = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const w of wired) for (const t of w.transferables) (t as ImageBitmap).close?.();
    throw failed.reason;
  }
  return { value: wired.map((w) => w.value), transferables: wired.flatMap((w) => w.transferables) };
}

async function wireWeights(weights: ClassifierOptions['weights']): Promise<Wired<WireWeights | undefined>> {
  const url = absoluteUrl(weights);
  if (url) return { value: url, transferables: [] };
  if (weights instanceof Response) {
    if (!weights.ok) throw new AlexNetError('WEIGHTS_DOWNLOAD_FAILED', `The weights Response has status ${weights.status} ${weights.statusText}.`);
    if (!weights.body || weights.bodyUsed) throw new AlexNetError('INVALID_ARGUMENT', 'The weights Response has no body or was already read; pass a fresh one.');
    // Where streams cannot move (Safari), the file crosses whole, as a Blob.
    if (!canTransferStreams()) return { value: await weights.blob(), transferables: [] };
    return { value: { body: weights.body, totalBytes: contentLength(weights) }, transferables: [weights.body] };
  }
  if (weights instanceof ReadableStream) {
    if (!canTransferStreams()) return { value: await new Response(weights).blob(), transferables: [] };
    return { value: weights, transferables: [weights] };
  }
  return { value: weights as WireWeights | undefined, transferables: [] };
}

/** The value as a Comlink argument: its transferables move instead of being copied. */
function argument<T>(wired: Wired<T>): T {
  return wired.transferables.length > 0 ? transfer(wired.value, wired.transferables) : wired.value;
}

/** A promise that rejects when `signal` fires; `done` stops listening. */
function rejectOnAbort(signal: AbortSignal | undefined): { promise: Promise<never>; done(): void } {
  if (!signal) return { promise: new Promise<never>(() => undefined), done: () => undefined };
  let listener = (): void => undefined;
  const promise = new Promise<never>((_, reject) => {
    listener = () => reject(signal.reason);
    if (signal.aborted) listener();
    else signal.addEventListener('abort', listener, { once: true });
  });
  return { promise, done: () => signal.removeEventListener('abort', listener) };
}

/** The helper threads a worker asks this page to start (see PageThreadStarter), ended with it. */
function threadsForWorker(): { start: PageThreadStarter; endAll(): void } {
  const running = new Set<Worker>();
  const start: PageThreadStarter = (url, name, port, onError) => {
    const { worker: thread } = startModuleWorker(new URL(url), name);
    running.add(thread);
    thread.addEventListener('error', (event) => {
      event.preventDefault();
      void Promise.resolve(onError(event.message || `its script ${url} could not be loaded`)).catch(() => undefined);
    });
    thread.postMessage({ port }, [port]);
    return proxy({
      terminate: () => {
        thread.terminate();
        running.delete(thread);
      },
    });
  };
  return {
    start,
    endAll: () => {
      for (const thread of running) thread.terminate();
      running.clear();
    },
  };
}

/** Rejects when the worker cannot start or dies, and on dispose; pending calls race against it. `failed`: the worker's script failed. */
function lifetime(worker: Worker): { promise: Promise<never>; end(error: AlexNetError): void; readonly failed: boolean } {
  let end!: (error: AlexNetError) => void;
  let failed = false;
  const promise = new Promise<never>((_, reject) => {
    end = reject;
  });
  promise.catch(() => undefined);
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    failed = true;
    end(new AlexNetError('BACKEND_UNAVAILABLE', `The alexnet-web worker failed: ${event.message || 'its script could not be loaded'}. Serve worker.js (and the .wasm files) next to the alexnet-web bundle, from the page's origin, and allow it in worker-src.`));
  });
  worker.addEventListener('messageerror', () => end(new AlexNetError('BACKEND_FAILED', 'A message from the alexnet-web worker could not be read.')));
  return {
    promise,
    end,
    get failed() {
      return failed;
    },
  };
}

/** The engine's worker script, beside this module (dist/worker.js). */
const WORKER_SCRIPT = './worker.js';

/**
 * The classifier in a module worker. `onPage(reason)` makes one on the calling thread instead: used when
 * the worker had to be started through a blob: module (the package is on another origin) and could not run.
 */
export async function createWorkerClassifier(options: ClassifierOptions, onPage: (reason: string) => Promise<Classifier>): Promise<Classifier> {
  installErrorTransfer();
  const { signal, onProgress, weights, worker: _worker, cache = true, ...rest } = options;
  signal?.throwIfAborted();
  // Before the worker exists: a bad URL or an unreadable Response throws here and leaves nothing running.
  const wiredWeights = await wireWeights(weights);
  // Bundlers (Vite, webpack, Rollup) follow the literal form only; the variable one is for the blob: bootstrap.
  const { worker, bootstrapped } = startModuleWorker(new URL(WORKER_SCRIPT, import.meta.url), 'alexnet-web', () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'alexnet-web' }));
  const notes = bootstrapped ? [`worker: ${bootstrapped}`] : [];
  const helperThreads = threadsForWorker();
  const remote: Remote<WorkerApi> = wrap<WorkerApi>(worker);
  const life = lifetime(worker);
  const loading = rejectOnAbort(signal);
  // Progress comes on its own port: the 'done' event may land after load() answers, so wait for it.
  let progressDone = (): void => undefined;
  const lastProgress = new Promise<void>((resolve) => {
    progressDone = resolve;
  });
  const report = onProgress && ((progress: LoadProgress) => {
    // Before the callback: a callback that throws must not leave the load waiting.
    if (progress.phase === 'done') progressDone();
    onProgress(progress);
  });
  const events = new EventTarget();
  let where: BackendChange | undefined;
  const onBackendChange = (change: BackendChange): void => {
    where = change;
    events.dispatchEvent(new CustomEvent<BackendChange>('backendchange', { detail: change }));
  };
  let info;
  try {
    const load = { ...rest, cache, weights: wiredWeights.value };
    info = await Promise.race([
      remote.load(argument({ value: load, transferables: wiredWeights.transferables }), report && proxy(report), proxy(onBackendChange), proxy(helperThreads.start)),
      life.promise,
      loading.promise,
    ]);
    if (report) await Promise.race([lastProgress, life.promise, loading.promise]);
  } catch (error) {
    // Ending the worker frees everything it had loaded.
    worker.terminate();
    helperThreads.endAll();
    if (bootstrapped && life.failed) {
      return onPage(`worker: none, the engine runs on the calling thread: ${bootstrapped}, and that module could not run (${(error as Error).message}); allow blob: in the page's worker-src, or serve the package from the page's origin`);
    }
    throw error;
  } finally {
    loading.done();
  }

  let nextCall = 0;
  let disposed = false;
  let disposal = Promise.resolve();
  const call = async <T>(callSignal: AbortSignal | undefined, work: (id: number) => Promise<T>): Promise<T> => {
    if (disposed) throw new AlexNetError('DISPOSED', 'This classifier was disposed; create a new one.');
    callSignal?.throwIfAborted();
    const id = nextCall++;
    const aborted = rejectOnAbort(callSignal);
    const onAbort = (): void => void remote.abort(id).catch(() => undefined);
    callSignal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.race([work(id), life.promise, aborted.promise]);
    } finally {
      aborted.done();
      callSignal?.removeEventListener('abort', onAbort);
    }
  };
  // The caller's inputs and pixels are copied into buffers that move to the worker and back: they stay theirs.
  const inputBuffers = new InputBuffers();
  const answerOf = <T>({ answer, inputBuffers: returned }: WithInputBuffers<T>): T => {
    inputBuffers.keep(returned);
    return answer;
  };
  const withInputBuffer = async <T>(input: Float32Array, send: (sent: Float32Array) => Promise<WithInputBuffers<T>>): Promise<T> => {
    // Anything else travels as it is, for the worker to refuse with its usual error.
    if (!(input instanceof Float32Array)) return answerOf(await send(input));
    const copy = inputBuffers.copyOf(input);
    return answerOf(await send(transfer(copy, [copy.buffer])));
  };
  const { backend, backendReason, threads, arithmetic, inputShape, labels, metadata } = info;

  return classifierFacade<BrowserImageInput>({
    model: { inputShape, labels, metadata },
    placement: () => {
      const now = where ?? { backend, backendReason, threads, arithmetic };
      return { ...now, backendReason: [...notes, ...now.backendReason] };
    },
    events,
    infer: (input, batch) => withInputBuffer(input, (sent) => call(undefined, (id) => remote.infer(id, sent, batch))),
    profile: (input, batch) => withInputBuffer(input, (sent) => call(undefined, (id) => remote.profile(id, sent, batch))),
    preprocess: async (image) => {
      const wired = await wireImage(image, inputBuffers);
      return answerOf(await call(undefined, (id) => remote.preprocess(id, argument(wired))));
    },
    async classify(images, classifyOptions) {
      const wired = await wireAll(images, inputBuffers);
      let sent = false;
      return call(classifyOptions.signal, (id) => {
        sent = true;
        return remote.classify(id, argument(wired), classifyOptions.topK);
      }).then(answerOf).finally(() => {
        // Bitmaps that never left this thread are ours to free.
        if (!sent) for (const t of wired.transferables) (t as ImageBitmap).close?.();
      });
    },
    whenCached: () => (disposed ? Promise.resolve(false) : Promise.race([remote.whenCached(), life.promise]).catch(() => false)),
    dispose() {
      if (disposed) return disposal;
      disposed = true;
      life.end(new AlexNetError('DISPOSED', 'This classifier was disposed while the call ran.'));
      // The model is freed at once; the worker and its threads end once those have stopped and a cache
      // write in progress is done (at most 30 s).
      disposal = new Promise<void>((resolve) => {
        const end = (): void => {
          remote[releaseProxy]();
          worker.terminate();
          helperThreads.endAll();
          resolve();
        };
        const timeout = setTimeout(end, 30_000);
        remote.dispose().catch(() => undefined).finally(() => {
          clearTimeout(timeout);
          end();
        });
      });
      return disposal;
    },
  }) as Classifier;
}
