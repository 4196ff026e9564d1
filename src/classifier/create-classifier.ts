// A classifier on this thread: a loaded model (lifecycle.ts) that turns images into ranked labels.
// Platform entries (node/index.ts, the browser's page engine and worker) supply how bytes and images are read.
import { softmaxRow, topK } from '../classify/top-k.js';
import { preprocessImage } from '../image/preprocess.js';
import { inputShapeOf } from '../model/shapes.js';
import type { Classifier, ClassifierOptions } from './api.js';
import { classifierFacade } from './facade.js';
import { startLifecycle } from './lifecycle.js';
import { checkClassifierOptions, checkTopK } from './options.js';
import type { Platform } from './platform.js';

export async function createClassifierOn<WeightsSource, ImageInput>(
  platform: Platform<WeightsSource, ImageInput>, options: ClassifierOptions<WeightsSource> = {},
): Promise<Classifier<ImageInput>> {
  const { maxImagePixels } = checkClassifierOptions(options);
  options.signal?.throwIfAborted();
  const lifecycle = await startLifecycle(platform, options);
  const { metadata } = lifecycle.model;
  const inputShape = inputShapeOf(metadata.network);
  const perImage = inputShape[0] * inputShape[1] * inputShape[2];
  const endsInSoftmax = metadata.network.layers[metadata.network.layers.length - 1].type === 'softmax';
  const batchOf = (input: Float32Array, batch?: number): number => batch ?? Math.max(1, Math.round(input.length / perImage));

  return classifierFacade<ImageInput>({
    model: { inputShape, labels: metadata.labels, metadata },
    placement: lifecycle.placement,
    events: lifecycle.events,
    infer: (input, batch) => lifecycle.run((network) => network.run(input, batchOf(input, batch))),
    profile: (input, batch) => lifecycle.run((network) => network.runProfiled(input, batchOf(input, batch), true)),
    async preprocess(image) {
      return preprocessImage(await platform.decodeImage(image, undefined, maxImagePixels), metadata.preprocess, metadata.network.input);
    },
    async classify(images, { topK: k, signal }) {
      const count = checkTopK(k, metadata.labels.length);
      const input = new Float32Array(images.length * perImage);
      for (let i = 0; i < images.length; i++) {
        const decoded = await platform.decodeImage(images[i], signal, maxImagePixels);
        preprocessImage(decoded, metadata.preprocess, metadata.network.input, input, i * perImage);
      }
      signal?.throwIfAborted();
      const output = await lifecycle.run((network) => network.run(input, images.length, signal));
      const classes = metadata.labels.length;
      return images.map((_, i) => {
        const row = output.subarray(i * classes, (i + 1) * classes);
        return topK(endsInSoftmax ? row : softmaxRow(row), metadata.labels, count);
      });
    },
    whenCached: lifecycle.whenCached,
    dispose: lifecycle.dispose,
  });
}
