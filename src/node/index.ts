// alexnet-web for Node.js: createClassifier with paths, URLs, bytes or streams as weights, and
// PNG/JPEG files, bytes or RGBA pixels as images.
import { demoModelUrl } from 'alexnet-web:demo-model-url';
import { createClassifierOn, type Classifier, type ClassifierOptions, type Platform } from '../classifier.js';
import { AlexNetError } from '../errors.js';
import { isRgbaImage, type RgbaImage } from '../image/preprocess.js';
import { decodeImage } from './decode-image.js';
import { openSource, readBytes, type ByteSource } from './read-source.js';

export type WeightsSource = ByteSource;
/** A path or file: URL of a PNG/JPEG, its bytes, or decoded RGBA pixels. */
export type ImageInput = string | URL | Uint8Array | ArrayBuffer | RgbaImage;

/** The bundled demo model (Fashion-MNIST, see models/README.md), used when no weights are given. */
export const DEMO_MODEL_URL: URL = demoModelUrl;

const nodePlatform: Platform<WeightsSource, ImageInput> = {
  defaultWeights: () => DEMO_MODEL_URL,
  openWeights: (source, signal) => openSource(source, { notFound: 'WEIGHTS_NOT_FOUND', downloadFailed: 'WEIGHTS_DOWNLOAD_FAILED' }, 'the weights', signal),
  async decodeImage(image, signal, maxPixels) {
    if (isRgbaImage(image)) return image;
    if (!(typeof image === 'string' || image instanceof URL || image instanceof Uint8Array || image instanceof ArrayBuffer)) {
      throw new AlexNetError('IMAGE_INVALID', `Unsupported image type ${Object.prototype.toString.call(image)}; pass a path, a file: URL, PNG/JPEG bytes or {data, width, height} RGBA.`);
    }
    const name = typeof image === 'string' || image instanceof URL ? String(image) : 'the image';
    const bytes = await readBytes(image, { notFound: 'IMAGE_INVALID', downloadFailed: 'IMAGE_INVALID' }, 'the image', signal);
    return decodeImage(bytes, name, maxPixels);
  },
};

export type NodeClassifier = Classifier<ImageInput>;

/** Loads a model (the bundled demo model by default) and returns a classifier running on WebAssembly SIMD. */
export function createClassifier(options: ClassifierOptions<WeightsSource> = {}): Promise<NodeClassifier> {
  return createClassifierOn(nodePlatform, options);
}

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
