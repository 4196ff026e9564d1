// The engine on the calling thread (worker: false). browser/index.ts imports this module only when
// asked to, so a page whose engine runs in its worker never downloads the engine itself.
import type { Classifier, ClassifierOptions } from '../classifier/api.js';
import { createClassifierOn } from '../classifier/create-classifier.js';
import { browserPlatform } from './platform.js';

/** `reason`: why the engine runs here although a worker was asked for, for backendReason. */
export function createClassifierOnPage(options: ClassifierOptions, cache: boolean, reason?: string): Promise<Classifier> {
  return createClassifierOn({ ...browserPlatform({ cache, integrity: options.integrity }), notes: reason ? [reason] : [] }, options);
}
