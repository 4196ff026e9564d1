// alexnet-web for browsers: createClassifier runs the engine in a module Worker (through Comlink) so
// pages never freeze, or on the calling thread with `worker: false`. Weights stream in, are verified
// and kept in the Cache API for offline use.
import type { Classifier, ClassifierOptions } from '../classifier/api.js';
import { AlexNetError } from '../errors.js';
import { createWorkerClassifier } from './worker-client.js';

/** Loads a model (the bundled demo model by default) and returns a classifier; see README for the options. */
export function createClassifier(options: ClassifierOptions = {}): Promise<Classifier> {
  const { worker = typeof Worker === 'function', cache = true } = options;
  if (worker && typeof Worker !== 'function') {
    return Promise.reject(new AlexNetError('BACKEND_UNAVAILABLE', 'This environment has no Worker; pass worker: false to run on the calling thread.'));
  }
  const onPage = (reason?: string) => import('./page-engine.js').then(({ createClassifierOnPage }) => createClassifierOnPage(options, cache, reason));
  return worker ? createWorkerClassifier(options, onPage) : onPage();
}

export * from '../public-api.js';
