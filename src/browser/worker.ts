// The alexnet-web worker: loads one classifier and serves a page's calls through Comlink, so
// inference never blocks the page. Started by createClassifier (worker-client.ts).
import { expose, proxy, transfer, type Remote } from 'comlink';
import type { ThreadStarter } from '../backends/wasm/helper-worker.js';
import type { Classifier } from '../classifier/api.js';
import { createClassifierOn } from '../classifier/create-classifier.js';
import { AlexNetError } from '../errors.js';
import { isRgbaImage } from '../image/rgba-image.js';
import { browserPlatform, type BrowserWeightsSource } from './platform.js';
import { installErrorTransfer } from './wire-errors.js';
import type { ClassifierInfo, PageThreadStarter, WireImage, WireLoadOptions, WireWeights, WithInputBuffers, WorkerApi } from './wire.js';

installErrorTransfer();

let classifier: Classifier<WireImage> | undefined;
const calls = new Map<number, AbortController>();

function loaded(): Classifier<WireImage> {
  if (!classifier) throw new AlexNetError('DISPOSED', 'This classifier was disposed; create a new one.');
  return classifier;
}

function weightsSource(weights: WireWeights | undefined): BrowserWeightsSource | undefined {
  if (weights && typeof weights === 'object' && 'body' in weights && !(weights instanceof Blob)) {
    const headers: Record<string, string> = weights.totalBytes === null ? {} : { 'content-length': String(weights.totalBytes) };
    return new Response(weights.body, { headers });
  }
  return weights;
}

/** Helper threads the page starts for this worker, each talking to it over its own port. */
function threadsOnPage(startOnPage: Remote<PageThreadStarter>): ThreadStarter {
  return async (url, name) => {
    const channel = new MessageChannel();
    const errorListeners: ((why: string) => void)[] = [];
    const onError = proxy((why: string) => errorListeners.forEach((listener) => listener(why)));
    const thread = await startOnPage(url.href, name, transfer(channel.port2, [channel.port2]), onError);
    return {
      post: (message) => channel.port1.postMessage(message),
      onReport: (listener) => {
        channel.port1.addEventListener('message', (event) => listener(event.data));
        channel.port1.start();
      },
      onError: (listener) => errorListeners.push(listener),
      terminate: () => {
        channel.port1.close();
        return Promise.resolve(thread.terminate()).catch(() => undefined);
      },
    };
  };
}

/** Bitmaps the page sent are this worker's to free (they hold decoded pixels, often on the GPU). */
function closeBitmaps(images: WireImage[]): void {
  for (const image of images) if (image instanceof ImageBitmap) image.close();
}

/** Runs `work` with an AbortSignal the page can fire through abort(call). */
async function withSignal<T>(call: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  calls.set(call, controller);
  try {
    return await work(controller.signal);
  } finally {
    calls.delete(call);
  }
}

/** The buffers that `inputs` (arrays, or pixels of an image) came in: sent back for the page to reuse. */
function inputBuffersOf(inputs: unknown[]): ArrayBuffer[] {
  const buffers = inputs.map((input) => (input instanceof Float32Array ? input : isRgbaImage(input) ? input.data : undefined)?.buffer);
  return buffers.filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer);
}

/** `answer` (`moved` transferred) with the buffers of `inputs`, which move back to the page. */
function withInputBuffers<T>(answer: T, moved: Transferable[], inputs: unknown[]): WithInputBuffers<T> {
  const inputBuffers = inputBuffersOf(inputs);
  return transfer({ answer, inputBuffers }, [...moved, ...inputBuffers]);
}

const api: WorkerApi = {
  async load(options: WireLoadOptions, onProgress, onBackendChange, startThread): Promise<ClassifierInfo> {
    const { cache, weights, ...rest } = options;
    const report = onProgress && ((progress: Parameters<typeof onProgress>[0]) => void Promise.resolve(onProgress(progress)).catch(() => undefined));
    const platform = { ...browserPlatform({ cache, integrity: rest.integrity }), startThread: threadsOnPage(startThread as unknown as Remote<PageThreadStarter>) };
    classifier = await createClassifierOn(platform, { ...rest, weights: weightsSource(weights), onProgress: report });
    classifier.addEventListener('backendchange', (event) => void Promise.resolve(onBackendChange(event.detail)).catch(() => undefined));
    const { backend, backendReason, threads, arithmetic, inputShape, labels, metadata } = classifier;
    return { backend, backendReason: [...backendReason], threads, arithmetic, inputShape: [...inputShape], labels: [...labels], metadata };
  },
  classify: (call, images, topK) => withSignal(call, async (signal) => {
    const results = await loaded().classify(images, { topK, signal });
    return withInputBuffers(results, [], images);
  }).finally(() => closeBitmaps(images)),
  infer: (call, input, batch) => withSignal(call, async () => {
    const output = await loaded().infer(input, { batch });
    return withInputBuffers(output, [output.buffer], [input]);
  }),
  profile: (call, input, batch) => withSignal(call, async () => {
    const result = await loaded().profile(input, { batch });
    return withInputBuffers(result, [result.output.buffer], [input]);
  }),
  preprocess: (call, image) => withSignal(call, async (signal) => {
    signal.throwIfAborted();
    const tensor = await loaded().preprocess(image);
    return withInputBuffers(tensor, [tensor.buffer], [image]);
  }).finally(() => closeBitmaps([image])),
  whenCached: async () => (classifier ? classifier.whenCached() : false),
  abort(call) {
    calls.get(call)?.abort(new DOMException('The call was aborted.', 'AbortError'));
  },
  async dispose() {
    const writing = classifier?.whenCached();
    // Answers once the helper threads have stopped, so the page ends them and this worker in order.
    const ended = classifier?.dispose();
    classifier = undefined;
    await Promise.all([writing, ended]);
  },
};

expose(api);
