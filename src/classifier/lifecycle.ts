// A classifier's life on its backend: the backend is chosen while the weights start downloading, the
// network loads (and moves when a GPU cannot hold it), calls run one at a time, a lost device is
// replaced (the model loads again) and the app hears of every move; dispose frees everything.
import type { Arithmetic, Backend, BackendName } from '../backends/backend.js';
import { selectBackend, type BackendChoice, type SelectedBackend } from '../backends/select-backend.js';
import type { Network } from '../engine/network.js';
import { AlexNetError } from '../errors.js';
import type { ModelHeader } from '../weights/model-file.js';
import type { BackendChange, ClassifierOptions } from './api.js';
import { fallbackChoices, type BackendFailure } from './fallback.js';
import { canReopen, loadChecked, monotonic, type LoadedNetwork } from './load-network.js';
import type { Platform } from './platform.js';

/** A loaded model and the backend it runs on, for as long as the classifier lives. */
export interface Lifecycle {
  readonly model: ModelHeader;
  /** Where it runs now, and why. */
  placement(): BackendChange;
  /** 'backendchange' events. */
  readonly events: EventTarget;
  /** Runs `work` after every call before it (activations are shared); a lost device is replaced first. */
  run<T>(work: (network: Network<unknown, unknown>) => Promise<T>): Promise<T>;
  /** Resolves true once the weights file was stored for offline use; asking starts the write. */
  whenCached(): Promise<boolean>;
  dispose(): Promise<void>;
}

const threadsOf = (backend: Backend): number => backend.threads?.count ?? 1;
const arithmeticOf = (backend: Backend): Arithmetic => backend.arithmetic?.name ?? 'f32';

/** The selection's reasons, the arithmetic line and, on wasm, the line saying how many threads run now and why. */
function reasonsOf(backend: Backend, selection: readonly string[]): readonly string[] {
  const arithmetic = backend.arithmetic?.reason ?? `${backend.name}: f32 arithmetic (int8 arithmetic runs on wasm)`;
  return backend.threads ? [...selection, arithmetic, backend.threads.reason] : [...selection, arithmetic];
}

/** The first of `choices` that selects; the last failure when none does. */
async function selectFirst(choice: BackendChoice, choices: ('auto' | BackendName)[]): Promise<SelectedBackend> {
  let failure: unknown;
  for (const backend of choices) {
    try {
      return await selectBackend({ ...choice, backend });
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/** Selects a backend and opens the weights at once (the download starts while the kernels compile). */
async function selectAndOpen<WeightsSource>(platform: Platform<WeightsSource, unknown>, choice: BackendChoice, source: WeightsSource, signal?: AbortSignal) {
  const [selected, opened] = await Promise.allSettled([selectBackend(choice), platform.openWeights(source, signal)]);
  if (selected.status === 'fulfilled' && opened.status === 'fulfilled') return { selected: selected.value, opened: opened.value };
  if (opened.status === 'fulfilled') {
    // abandon() also ends a cache write the download had started.
    await opened.value.stream.cancel().catch(() => undefined);
    await opened.value.abandon?.(selected.status === 'rejected' ? selected.reason : undefined).catch(() => undefined);
  }
  if (selected.status === 'fulfilled') selected.value.backend.dispose();
  throw selected.status === 'rejected' ? selected.reason : (opened as PromiseRejectedResult).reason;
}

export async function startLifecycle<WeightsSource>(platform: Platform<WeightsSource, unknown>, options: ClassifierOptions<WeightsSource>): Promise<Lifecycle> {
  const source = options.weights ?? platform.defaultWeights();
  const asked = options.backend ?? 'auto';
  const choice: BackendChoice = { ...options, startThread: platform.startThread };
  const notes = platform.notes ?? [];
  const first = await selectAndOpen(platform, choice, source, options.signal);
  let { backend, reasons } = first.selected;
  let answered!: () => void;
  const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
  const loadOptions = { ...options, onProgress: monotonic(options.onProgress), firstAnswer };
  let loaded: LoadedNetwork;
  try {
    loaded = await loadChecked(platform, backend, source, first.opened, loadOptions);
  } catch (error) {
    backend.dispose();
    const outOfMemory = error instanceof AlexNetError && error.code === 'OUT_OF_MEMORY';
    const choices = outOfMemory && canReopen(source) ? fallbackChoices(asked, backend.name, 'out-of-memory', 'loading') : [];
    if (choices.length === 0) throw error;
    // The source is opened again, from the cache if it was stored.
    const moved = await selectFirst(choice, choices);
    backend = moved.backend;
    reasons = [`${first.selected.backend.name}: dropped after loading, ${(error as Error).message}`, ...moved.reasons];
    try {
      loaded = await loadChecked(platform, backend, source, undefined, loadOptions);
    } catch (retryError) {
      backend.dispose();
      throw retryError;
    }
  }
  let { network } = loaded;
  const events = new EventTarget();
  let disposed = false;
  /** What dispose() returns: resolves once the backend's threads have ended. */
  let disposal = Promise.resolve();
  let threads = threadsOf(backend);
  const placement = (): BackendChange => ({ backend: backend.name, backendReason: [...notes, ...reasonsOf(backend, reasons)], threads: threadsOf(backend), arithmetic: arithmeticOf(backend) });
  const announce = (): void => {
    threads = threadsOf(backend);
    events.dispatchEvent(new CustomEvent<BackendChange>('backendchange', { detail: placement() }));
  };

  // A lost GPU device: load the model again where the policy says, and tell the app. One-shot sources
  // (a consumed Response or stream) cannot be read twice: then the classifier ends.
  const recover = async (failure: BackendFailure): Promise<void> => {
    network.dispose();
    backend.dispose();
    let retry: SelectedBackend | undefined;
    try {
      retry = await selectFirst(choice, fallbackChoices(asked, backend.name, failure, 'running'));
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
    announce();
  };

  // One call after another, in call order.
  let queue: Promise<unknown> = Promise.resolve();
  const run = <T>(work: (network: Network<unknown, unknown>) => Promise<T>): Promise<T> => {
    const result = queue.then(async () => {
      if (disposed) throw new AlexNetError('DISPOSED', 'This classifier was disposed; create a new one.');
      try {
        return await work(network);
      } catch (error) {
        // dispose() destroys the device too: that is not a loss to recover from.
        if (disposed || !backend.lost) throw error;
        await recover(backend.lost);
        return work(network);
      } finally {
        answered();
        // A helper thread that died is noticed after the call it failed in: the app hears of the change.
        if (!disposed && threadsOf(backend) !== threads) announce();
      }
    });
    queue = result.catch(() => undefined);
    return result;
  };

  return {
    model: loaded.model,
    placement,
    events,
    run,
    whenCached: () => {
      // Whoever waits for the copy wants it now, not after the first result.
      answered();
      return loaded.cached;
    },
    dispose() {
      if (disposed) return disposal;
      disposed = true;
      answered();
      network.dispose();
      disposal = Promise.resolve(backend.dispose());
      return disposal;
    },
  };
}
