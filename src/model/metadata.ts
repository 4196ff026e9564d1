// What a weights file says about itself: the network, how to prepare pixels, labels and provenance.
import { AlexNetError, describeValue } from '../errors.js';
import { planNetwork, type LayerPlan } from './shapes.js';
import type { NetworkSpec } from './spec.js';

/** Version of the `alexnet-web` metadata this build reads and writes. */
export const FORMAT_VERSION = 1;
/** Key of the metadata entry in the safetensors `__metadata__` map. */
export const METADATA_KEY = 'alexnet-web';

export type ResizePolicy =
  /** Scale so the shorter side is `size`, keeping the aspect ratio (torchvision). */
  | { mode: 'shorter-side'; size: number }
  /** Scale to exactly width x height (Caffe's 256x256). */
  | { mode: 'stretch'; width: number; height: number };

/** How an RGBA image becomes the network's input tensor; our own code runs it everywhere. */
export interface Preprocess {
  /** Channel order of the input tensor. */
  channelOrder: 'RGB' | 'BGR';
  /** Convert to luminance first and repeat it in every channel (grayscale-trained models). */
  grayscale: boolean;
  /** A pixel of 255 becomes this value before mean and std: 255 (Caffe) or 1 (torchvision). */
  valueScale: number;
  /** Per channel, in channelOrder, in valueScale units. */
  mean: [number, number, number];
  std: [number, number, number];
  resize: ResizePolicy;
  /** The network's input size is then cut from the centre. */
  crop: 'center';
}

export interface ModelSource {
  /** 'onnx', 'builtin', or a free-form origin. */
  kind: string;
  /** Original file name, when converted from one. */
  file?: string;
  /** Tool and version that wrote the file. */
  converter: string;
  /** Free text: training recipe, licence, dataset. */
  description?: string;
}

export interface ModelMetadata {
  version: number;
  name: string;
  network: NetworkSpec;
  preprocess: Preprocess;
  /** One label per output of the last layer. */
  labels: string[];
  source: ModelSource;
}

export const CAFFE_PREPROCESS: Preprocess = {
  channelOrder: 'BGR',
  grayscale: false,
  valueScale: 255,
  mean: [104, 117, 123],
  std: [1, 1, 1],
  resize: { mode: 'stretch', width: 256, height: 256 },
  crop: 'center',
};

export const TORCHVISION_PREPROCESS: Preprocess = {
  channelOrder: 'RGB',
  grayscale: false,
  valueScale: 1,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  resize: { mode: 'shorter-side', size: 256 },
  crop: 'center',
};

function corrupt(message: string): never {
  throw new AlexNetError('WEIGHTS_CORRUPT', `The alexnet-web metadata is invalid: ${message}`);
}

/** Preprocessing numbers read: wide enough for any real model, narrow enough that no pixel becomes Inf. */
export const PREPROCESS_RANGES = { valueScale: [1e-6, 1e6], mean: [-1e6, 1e6], std: [1e-6, 1e6] } as const;

function inRange(value: unknown, [min, max]: readonly [number, number]): boolean {
  return typeof value === 'number' && value >= min && value <= max;
}

function isTriple(value: unknown, range: readonly [number, number]): value is [number, number, number] {
  return Array.isArray(value) && value.length === 3 && value.every((v) => inRange(v, range));
}

/** Checks a preprocessing description; throws `makeError(message)` on the first problem. */
export function validatePreprocess(value: unknown, makeError: (message: string) => never = corrupt): Preprocess {
  const p = value as Preprocess;
  if (typeof p !== 'object' || p === null) makeError('preprocess must be an object.');
  if (p.channelOrder !== 'RGB' && p.channelOrder !== 'BGR') makeError(`preprocess.channelOrder must be "RGB" or "BGR", found ${describeValue(p.channelOrder)}.`);
  if (typeof p.grayscale !== 'boolean') makeError('preprocess.grayscale must be true or false.');
  const { valueScale, mean, std } = PREPROCESS_RANGES;
  if (!inRange(p.valueScale, valueScale)) makeError(`preprocess.valueScale must be a number from ${valueScale[0]} to ${valueScale[1]}, found ${describeValue(p.valueScale)}.`);
  if (!isTriple(p.mean, mean)) makeError(`preprocess.mean must be three numbers from ${mean[0]} to ${mean[1]}, found ${describeValue(p.mean)}.`);
  if (!isTriple(p.std, std)) makeError(`preprocess.std must be three numbers from ${std[0]} to ${std[1]}, found ${describeValue(p.std)}.`);
  const r = p.resize;
  const validResize =
    (r?.mode === 'shorter-side' && Number.isInteger(r.size) && r.size > 0) ||
    (r?.mode === 'stretch' && Number.isInteger(r.width) && r.width > 0 && Number.isInteger(r.height) && r.height > 0);
  if (!validResize) makeError(`preprocess.resize must be {mode: "shorter-side", size} or {mode: "stretch", width, height}, found ${describeValue(r)}.`);
  if (p.crop !== 'center') makeError(`preprocess.crop must be "center", found ${describeValue(p.crop)}.`);
  return p;
}

/** Parses and checks the metadata JSON string of a weights file; with the plan of its network, made on the way. */
export function parseMetadata(json: string | undefined): { metadata: ModelMetadata; plans: LayerPlan[] } {
  if (json === undefined) {
    throw new AlexNetError(
      'WEIGHTS_CORRUPT',
      `This safetensors file has no "${METADATA_KEY}" metadata, so it is not an alexnet-web model. Convert the original model with \`alexnet-web convert model.onnx -o model.safetensors\`.`,
    );
  }
  let raw: ModelMetadata;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    return corrupt(`it is not JSON (${(error as Error).message}).`);
  }
  if (typeof raw !== 'object' || raw === null) corrupt('it must be a JSON object.');
  if (raw.version !== FORMAT_VERSION) {
    throw new AlexNetError(
      'WEIGHTS_UNSUPPORTED_VERSION',
      `The weights file has format version ${describeValue(raw.version)}; this alexnet-web reads version ${FORMAT_VERSION}. ` +
        (typeof raw.version === 'number' && raw.version > FORMAT_VERSION ? 'Upgrade alexnet-web.' : 'Convert the model again with this version.'),
    );
  }
  if (typeof raw.name !== 'string') corrupt('name must be a string.');
  const plans = planNetwork(raw.network);
  validatePreprocess(raw.preprocess);
  const { height, width } = raw.network.input;
  const resize = raw.preprocess.resize;
  const smallest = resize.mode === 'stretch' ? Math.min(resize.width - width, resize.height - height) : resize.size - Math.max(width, height);
  const resized = resize.mode === 'stretch' ? `${resize.width}x${resize.height}` : `shorter side ${resize.size}`;
  if (smallest < 0) corrupt(`preprocess.resize (${resized}) is smaller than the ${width}x${height} input, so the centre crop would not fit.`);
  const last = plans[plans.length - 1].outputShape;
  if (last.length !== 1) corrupt('the network must end in a flat output (fullyConnected or softmax).');
  if (!Array.isArray(raw.labels) || raw.labels.length !== last[0] || raw.labels.some((l) => typeof l !== 'string')) {
    corrupt(`labels must be ${last[0]} strings, one per output; found ${Array.isArray(raw.labels) ? raw.labels.length : typeof raw.labels}.`);
  }
  if (typeof raw.source !== 'object' || raw.source === null || typeof raw.source.kind !== 'string') corrupt('source.kind must be a string.');
  return { metadata: raw, plans };
}
