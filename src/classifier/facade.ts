// The Classifier object callers hold, over whatever runs the model: the lifecycle on this thread
// (create-classifier.ts) or the engine's worker (browser/worker-client.ts). Both give it the same core.
import type { Classification } from '../classify/top-k.js';
import type { Profile } from '../engine/network.js';
import type { BackendChange, Classifier, ClassifyOptions } from './api.js';

/** What runs a classifier's calls. */
export interface ClassifierCore<Image> {
  readonly model: Pick<Classifier, 'inputShape' | 'labels' | 'metadata'>;
  /** Where it runs now, and why. */
  placement(): BackendChange;
  /** Where 'backendchange' events are dispatched. */
  readonly events: EventTarget;
  infer(input: Float32Array, batch: number | undefined): Promise<Float32Array>;
  profile(input: Float32Array, batch: number | undefined): Promise<Profile>;
  preprocess(image: Image): Promise<Float32Array>;
  /** Top-k of each image of a list of at least one. */
  classify(images: Image[], options: ClassifyOptions): Promise<Classification[][]>;
  whenCached(): Promise<boolean>;
  dispose(): Promise<void>;
}

export function classifierFacade<Image>(core: ClassifierCore<Image>): Classifier<Image> {
  const { inputShape, labels, metadata } = core.model;
  return {
    get backend() {
      return core.placement().backend;
    },
    get backendReason() {
      return core.placement().backendReason;
    },
    get threads() {
      return core.placement().threads;
    },
    get arithmetic() {
      return core.placement().arithmetic;
    },
    inputShape,
    labels,
    metadata,
    addEventListener: (type, listener) => core.events.addEventListener(type, listener as EventListener),
    removeEventListener: (type, listener) => core.events.removeEventListener(type, listener as EventListener),
    infer: (input, { batch } = {}) => core.infer(input, batch),
    profile: (input, { batch } = {}) => core.profile(input, batch),
    preprocess: (image) => core.preprocess(image),
    classify: (async (images: Image | Image[], options: ClassifyOptions = {}) => {
      const list = Array.isArray(images) ? images : [images];
      if (list.length === 0) return [];
      const results = await core.classify(list, options);
      return Array.isArray(images) ? results : results[0];
    }) as Classifier<Image>['classify'],
    whenCached: () => core.whenCached(),
    dispose: () => core.dispose(),
  };
}
