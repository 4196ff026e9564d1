// alexnet-web for browsers: createClassifier runs the engine in a module Worker (through Comlink) so
// pages never freeze, or on the calling thread with `worker: false`. Weights stream in, are verified
// and kept in the Cache API for offline use.
import { createClassifierOn } from '../classifier.js';
import { AlexNetError } from '../errors.js';
import type { BrowserClassifier, BrowserClassifierOptions } from './browser-classifier.js';
import { browserPlatform } from './platform.js';
import { createWorkerClassifier } from './worker-client.js';

export type { BrowserClassifier, BrowserClassifierOptions } from './browser-classifier.js';

/** Loads a model (the bundled demo model by default) and returns a classifier; see README for the options. */
export function createClassifier(options: BrowserClassifierOptions = {}): Promise<BrowserClassifier> {
  const { worker = typeof Worker === 'function', cache = true } = options;
  if (worker && typeof Worker !== 'function') {
    return Promise.reject(new AlexNetError('BACKEND_UNAVAILABLE', 'This environment has no Worker; pass worker: false to run on the calling thread.'));
  }
  if (worker) return createWorkerClassifier(options);
  return createClassifierOn(browserPlatform({ cache, integrity: options.integrity }), options);
}

export { DEMO_MODEL_URL, type BrowserWeightsSource } from './platform.js';
export { clearWeightsCache, WEIGHTS_CACHE_NAME } from './weights-cache.js';
export type { BrowserImageInput } from './decode-image.js';
export { AlexNetError, isAlexNetError, type AlexNetErrorCode } from '../errors.js';
export type { BackendChange, Classification, Classifier, ClassifierOptions, ClassifyOptions, LoadProgress } from '../classifier.js';
export type { LayerTime, Profile, ProfileClock } from '../engine/network.js';
export type { Arithmetic } from '../backends/backend.js';
export type { RgbaImage } from '../image/preprocess.js';
export type { ModelMetadata, Preprocess, ResizePolicy, ModelSource } from '../model/metadata.js';
export { CAFFE_PREPROCESS, TORCHVISION_PREPROCESS, FORMAT_VERSION } from '../model/metadata.js';
export type { NetworkSpec, Layer } from '../model/spec.js';
export { bvlcAlexNet, torchvisionAlexNet } from '../model/builtin.js';
export { planNetwork } from '../model/shapes.js';
