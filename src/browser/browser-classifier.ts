// The browser classifier's types: what createClassifier takes and returns, whether it runs in a worker or not.
import type { Classifier, ClassifierOptions } from '../classifier.js';
import type { BrowserImageInput } from './decode-image.js';
import type { BrowserWeightsSource } from './platform.js';

export interface BrowserClassifierOptions extends ClassifierOptions<BrowserWeightsSource> {
  /** Run in a module Worker (default, where Workers exist); false runs on the calling thread. */
  worker?: boolean;
  /** Keep the verified weights file in the Cache API for the next load and offline use (default true). */
  cache?: boolean;
}

export type BrowserClassifier = Classifier<BrowserImageInput>;
