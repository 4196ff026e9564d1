// What `alexnet-web` exports besides createClassifier, the same list in browsers and
// Node, so that one set of types serves both and code written for one type-checks for the other.
export { AlexNetError, isAlexNetError, type AlexNetErrorCode } from './errors.js';
export { DEMO_MODEL_URL } from './io/demo-model.js';
export type { BackendChange, Classification, Classifier, ClassifierOptions, ClassifyOptions, LoadProgress } from './classifier/api.js';
export type { LayerTime, Profile, ProfileClock } from './engine/network.js';
export type { Arithmetic } from './backends/backend.js';
export type { ImageInput, PageImageSource } from './image/image-input.js';
export type { RgbaImage } from './image/rgba-image.js';
export type { PortableByteSource as WeightsSource } from './io/open-bytes.js';
export type { ModelMetadata, Preprocess, ResizePolicy, ModelSource } from './model/metadata.js';
export { CAFFE_PREPROCESS, TORCHVISION_PREPROCESS, FORMAT_VERSION } from './model/metadata.js';
export type { NetworkSpec, Layer } from './model/spec.js';
export { bvlcAlexNet, torchvisionAlexNet } from './model/builtin.js';
export { planNetwork } from './model/shapes.js';
// Where the Cache API is missing (Node), clearing resolves at once.
export { clearWeightsCache, WEIGHTS_CACHE_NAME } from './io/clear-weights-cache.js';
// Earlier, platform-specific names of the same types.
export type { Classifier as NodeClassifier, Classifier as BrowserClassifier, ClassifierOptions as BrowserClassifierOptions } from './classifier/api.js';
export type { ImageInput as BrowserImageInput } from './image/image-input.js';
export type { PortableByteSource as BrowserWeightsSource } from './io/open-bytes.js';
