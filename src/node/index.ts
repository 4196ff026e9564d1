// alexnet-web for Node.js: createClassifier with paths, URLs, bytes or streams as weights, and
// PNG/JPEG files, bytes, Blobs or RGBA pixels as images.
import type { Classifier, ClassifierOptions } from '../classifier/api.js';
import { createClassifierOn } from '../classifier/create-classifier.js';
import type { Platform } from '../classifier/platform.js';
import { AlexNetError } from '../errors.js';
import { DEMO_MODEL_URL } from '../io/demo-model.js';
import type { ImageInput } from '../image/image-input.js';
import { isRgbaImage } from '../image/rgba-image.js';
import type { PortableByteSource } from '../io/open-bytes.js';
import { decodeImage } from './decode-image.js';
import { openSource, readBytes } from './read-source.js';

const nodePlatform: Platform<PortableByteSource, ImageInput> = {
  defaultWeights: () => DEMO_MODEL_URL,
  openWeights: (source, signal) => openSource(source, { notFound: 'WEIGHTS_NOT_FOUND', downloadFailed: 'WEIGHTS_DOWNLOAD_FAILED' }, 'the weights', signal),
  async decodeImage(image, signal, maxPixels) {
    if (isRgbaImage(image)) return image;
    if (!(typeof image === 'string' || image instanceof URL || image instanceof Uint8Array || image instanceof ArrayBuffer || image instanceof Blob)) {
      throw new AlexNetError('IMAGE_INVALID', `Unsupported image type ${Object.prototype.toString.call(image)}; in Node, pass a path, a file: or http(s) URL, PNG/JPEG bytes or a Blob of them, or {data, width, height} RGBA.`);
    }
    const name = typeof image === 'string' || image instanceof URL ? String(image) : 'the image';
    const bytes = await readBytes(image, { notFound: 'IMAGE_INVALID', downloadFailed: 'IMAGE_INVALID' }, 'the image', signal);
    return decodeImage(bytes, name, maxPixels);
  },
};

/** Loads a model (the bundled demo model by default) and returns a classifier running on WebAssembly SIMD. */
export function createClassifier(options: ClassifierOptions = {}): Promise<Classifier> {
  return createClassifierOn(nodePlatform, options);
}

export * from '../public-api.js';
