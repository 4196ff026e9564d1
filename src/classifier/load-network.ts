// Loading a network onto a backend: the weights stream in layer by layer; a platform that drops a bad
// copy (a damaged cache entry) gets the source opened again; what was uploaded is freed on failure.
import type { Backend } from '../backends/backend.js';
import { DEFAULT_MAX_ACTIVATION_BYTES, Network } from '../engine/network.js';
import type { OpenedWeights } from '../io/opened-weights.js';
import type { ModelHeader } from '../weights/model-file.js';
import { streamModel, type LoadProgress } from '../weights/stream-loader.js';
import type { ClassifierOptions } from './api.js';
import type { Platform } from './platform.js';

export interface LoadedNetwork {
  network: Network<unknown, unknown>;
  model: ModelHeader;
  /** Resolves once a copy was stored for offline use. */
  cached: Promise<boolean>;
}

export type LoadOptions<WeightsSource> = Pick<ClassifierOptions<WeightsSource>, 'integrity' | 'signal' | 'onProgress' | 'maxActivationBytes'> & {
  /** Resolves at the classifier's first answer: a cache write waits for it. */
  firstAnswer?: Promise<void>;
};

/** Drops progress events that would go backwards (a second attempt after a bad cached copy starts at 0 again). */
export function monotonic(onProgress: ((progress: LoadProgress) => void) | undefined): ((progress: LoadProgress) => void) | undefined {
  if (!onProgress) return undefined;
  let last = -1;
  return (progress) => {
    // 'done' always passes: callers wait for it.
    if (progress.loadedBytes < last && progress.phase !== 'done') return;
    last = progress.loadedBytes;
    onProgress(progress);
  };
}

/** Whether `source` can be read a second time (a Response or a stream cannot). */
export function canReopen(source: unknown): boolean {
  return !(typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) && !(typeof Response !== 'undefined' && source instanceof Response);
}

/** Streams the weights into `backend`; `firstOpen` is the source already opened, if it was. */
export async function loadNetwork<WeightsSource>(
  platform: Platform<WeightsSource, unknown>, backend: Backend, source: WeightsSource, firstOpen: OpenedWeights | undefined, options: LoadOptions<WeightsSource>,
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
export async function loadChecked<WeightsSource>(...args: Parameters<typeof loadNetwork<WeightsSource>>): Promise<LoadedNetwork> {
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
