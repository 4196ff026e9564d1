// Elements that ask for the same weights with the same options share one classifier: one worker,
// one download, one model in memory. It is disposed when the last element lets go.
import { createClassifier, DEMO_MODEL_URL, type BrowserClassifier, type LoadProgress } from '../browser/index.js';
import { absoluteUrl } from '../browser/page-url.js';

export interface SharedClassifierOptions {
  /** URL of the weights; the bundled demo model when undefined. */
  weights?: string;
  backend: 'auto' | 'wasm' | 'webgpu';
  /** How int8 weights multiply on wasm; undefined: the default (int8). */
  arithmetic?: 'int8' | 'f32';
  integrity?: string;
  worker: boolean;
  /** Keep the weights in alexnet-web's Cache API store (off when the app caches them itself). */
  cache: boolean;
}

interface Entry {
  classifier: Promise<BrowserClassifier>;
  /** Ends the load when the last element leaves before it is done. */
  loading: AbortController;
  ready: boolean;
  users: number;
  listeners: Set<(progress: LoadProgress) => void>;
  /** The latest progress, for an element that joins a load already under way. */
  latest?: LoadProgress;
}

const entries = new Map<string, Entry>();

export interface SharedClassifier {
  classifier: Promise<BrowserClassifier>;
  release(): void;
  /** This classifier broke (its GPU could not be recovered): later elements get a new one. */
  evict(): void;
}

export function acquireClassifier(options: SharedClassifierOptions, onProgress: (progress: LoadProgress) => void): SharedClassifier {
  const weights = absoluteUrl(options.weights ?? DEMO_MODEL_URL)!;
  const key = JSON.stringify([weights, options.backend, options.arithmetic ?? '', options.integrity ?? '', options.worker, options.cache]);
  let entry = entries.get(key);
  if (!entry) {
    const listeners = new Set<(progress: LoadProgress) => void>();
    const loading = new AbortController();
    const created: Entry = { users: 0, listeners, loading, ready: false, classifier: undefined as unknown as Promise<BrowserClassifier> };
    created.classifier = createClassifier({
      weights, backend: options.backend, arithmetic: options.arithmetic, integrity: options.integrity, worker: options.worker, cache: options.cache,
      signal: loading.signal,
      onProgress: (progress) => {
        created.latest = progress;
        for (const listener of listeners) listener(progress);
      },
    });
    created.classifier.then(() => (created.ready = true), () => {
      // A failed load is not kept: the next element tries again.
      if (entries.get(key) === created) entries.delete(key);
    });
    entries.set(key, created);
    entry = created;
  }
  const joined = entry;
  joined.users++;
  joined.listeners.add(onProgress);
  if (joined.latest) onProgress(joined.latest);
  let released = false;
  return {
    classifier: joined.classifier,
    release() {
      if (released) return;
      released = true;
      joined.listeners.delete(onProgress);
      if (--joined.users > 0) return;
      if (entries.get(key) === joined) entries.delete(key);
      if (!joined.ready) joined.loading.abort(new DOMException('No element needs this model any more.', 'AbortError'));
      joined.classifier.then((classifier) => classifier.dispose(), () => undefined);
    },
    evict() {
      if (entries.get(key) === joined) entries.delete(key);
    },
  };
}
