// The checks of createClassifier's and classify's options that no lower layer makes: INVALID_ARGUMENT
// before anything starts.
import { AlexNetError, describeValue } from '../errors.js';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../image/rgba-image.js';
import type { ClassifierOptions } from './api.js';

/** Throws INVALID_ARGUMENT for a bad option; returns the image limit in force. */
export function checkClassifierOptions(options: ClassifierOptions<unknown>): { maxImagePixels: number } {
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new AlexNetError('INVALID_ARGUMENT', `threads must be a positive integer, found ${options.threads}.`);
  }
  if (options.arithmetic !== undefined && options.arithmetic !== 'int8' && options.arithmetic !== 'f32') {
    throw new AlexNetError('INVALID_ARGUMENT', `arithmetic must be 'int8' or 'f32', found ${describeValue(options.arithmetic)}.`);
  }
  if (options.maxActivationBytes !== undefined && !(options.maxActivationBytes > 0)) {
    throw new AlexNetError('INVALID_ARGUMENT', `maxActivationBytes must be a positive number, found ${describeValue(options.maxActivationBytes)}.`);
  }
  const maxImagePixels = options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  if (!(Number.isInteger(maxImagePixels) && maxImagePixels > 0)) {
    throw new AlexNetError('INVALID_ARGUMENT', `maxImagePixels must be a positive integer, found ${describeValue(options.maxImagePixels)}.`);
  }
  return { maxImagePixels };
}

/** How many classes classify returns: `k` (default 5), at most `classes`. */
export function checkTopK(k: number | undefined, classes: number): number {
  if (k === undefined) return Math.min(5, classes);
  if (!Number.isInteger(k) || k < 1) throw new AlexNetError('INVALID_ARGUMENT', `topK must be a positive integer, found ${k}.`);
  return Math.min(k, classes);
}
