// ONNX bytes -> an alexnet-web weights file (safetensors chunks) and a per-layer report.
import { AlexNetError, describeValue } from '../errors.js';
import { CAFFE_PREPROCESS, FORMAT_VERSION, METADATA_KEY, TORCHVISION_PREPROCESS, validatePreprocess, type ModelMetadata, type Preprocess } from '../model/metadata.js';
import { planNetwork } from '../model/shapes.js';
import { floatsToHalves, halvesToFloats } from '../weights/float16.js';
import type { LayerWeights } from '../backends/backend.js';
import { checkLayerWeights, readModelHeader } from '../weights/model-file.js';
import { dequantize } from '../backends/int8-weights.js';
import { quantizePerChannel, relativeError } from '../weights/quantize.js';
import { encodeSafetensors, type DType, type TensorToWrite } from '../weights/safetensors.js';
import { IMAGENET_LABELS } from './imagenet-labels.js';
import { importOnnx, type FloatLayerWeights } from './onnx-import.js';
import { decodeModel } from './onnx-proto.js';
import type { ExternalDataReader } from './onnx-tensor.js';

export const CONVERTER_NAME = 'alexnet-web 0.1.0';

export type WeightPrecision = 'int8' | 'f16' | 'f32';

export interface ConvertOptions {
  /** int8 (default): symmetric per output channel; f16; f32. */
  quantize?: WeightPrecision;
  /** 'imagenet', one label per output, or default: ImageNet for 1000 outputs, "class N" otherwise. */
  labels?: 'imagenet' | string[];
  /** 'caffe', 'torchvision', a full description, or default: Caffe when the graph has LRN, torchvision otherwise. */
  preprocess?: 'caffe' | 'torchvision' | Preprocess;
  /** Model name stored in the metadata (default: the source file name). */
  name?: string;
  /** Source file name recorded in the metadata. */
  sourceFile?: string;
  description?: string;
  readExternal?: ExternalDataReader;
}

export interface LayerReport {
  name: string;
  type: string;
  outputShape: number[];
  parameters: number;
  bytes: number;
  dtype: DType | '';
  /** ||w - restored|| / ||w|| of the weight tensor (0 for f32). */
  relativeError: number;
}

export interface Conversion {
  /** Header then data, to be written in order. */
  chunks: Uint8Array[];
  metadata: ModelMetadata;
  layers: LayerReport[];
  totalParameters: number;
  totalBytes: number;
  folded: string[];
}

function asBytes(values: Float32Array | Int8Array | Uint16Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

interface StoredLayer {
  /** In file order: weight, scale, bias. */
  tensors: TensorToWrite[];
  /** What the loader will read back from `tensors`. */
  readBack: LayerWeights;
  /** ||w - restored|| / ||w|| of the weight. */
  error: number;
  dtype: DType;
}

function layerTensors(name: string, shape: number[], w: FloatLayerWeights, precision: WeightPrecision): StoredLayer {
  const bias: TensorToWrite = { name: `${name}.bias`, dtype: 'F32', shape: [w.bias.length], data: asBytes(w.bias) };
  if (precision === 'int8') {
    const q = quantizePerChannel(w.weight, shape[0]);
    return {
      tensors: [
        { name: `${name}.weight`, dtype: 'I8', shape, data: asBytes(q.values) },
        { name: `${name}.weight_scale`, dtype: 'F32', shape: [shape[0]], data: asBytes(q.scales) },
        bias,
      ],
      readBack: { weight: { dtype: 'I8', values: q.values, scales: q.scales }, bias: w.bias },
      error: relativeError(w.weight, dequantize(q)),
      dtype: 'I8',
    };
  }
  if (precision === 'f16') {
    const halves = floatsToHalves(w.weight);
    const restored = halvesToFloats(halves);
    return {
      tensors: [{ name: `${name}.weight`, dtype: 'F16', shape, data: asBytes(halves) }, bias],
      readBack: { weight: { dtype: 'F32', values: restored }, bias: w.bias },
      error: relativeError(w.weight, restored),
      dtype: 'F16',
    };
  }
  return { tensors: [{ name: `${name}.weight`, dtype: 'F32', shape, data: asBytes(w.weight) }, bias], readBack: { weight: { dtype: 'F32', values: w.weight }, bias: w.bias }, error: 0, dtype: 'F32' };
}

/** Runs `check`, the loader's own validation; whatever it refuses becomes ONNX_INVALID, so every file convert writes loads. */
function asLoaderWould<T>(what: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof AlexNetError)) throw error;
    throw new AlexNetError('ONNX_INVALID', `${what} would not load (${error.code}: ${error.message})`, { cause: error });
  }
}

function resolveLabels(option: ConvertOptions['labels'], classes: number): string[] {
  const labels = option === 'imagenet' ? [...IMAGENET_LABELS] : option ?? (classes === 1000 ? [...IMAGENET_LABELS] : Array.from({ length: classes }, (_, i) => `class ${i}`));
  if (labels.length !== classes) {
    throw new AlexNetError('INVALID_ARGUMENT', `The model has ${classes} outputs but ${labels.length} labels were given${option === 'imagenet' ? ' (ImageNet has 1000)' : ''}.`);
  }
  return labels;
}

function resolvePreprocess(option: ConvertOptions['preprocess'], hasLrn: boolean): Preprocess {
  if (option === 'caffe' || (option === undefined && hasLrn)) return CAFFE_PREPROCESS;
  if (option === 'torchvision' || option === undefined) return TORCHVISION_PREPROCESS;
  return validatePreprocess(option, (message) => {
    throw new AlexNetError('INVALID_ARGUMENT', `The preprocessing description is invalid: ${message}`);
  });
}

export function convertOnnx(onnxBytes: Uint8Array, options: ConvertOptions = {}): Conversion {
  const precision = options.quantize ?? 'int8';
  if (!['int8', 'f16', 'f32'].includes(precision)) throw new AlexNetError('INVALID_ARGUMENT', `quantize must be int8, f16 or f32, found ${describeValue(precision)}.`);
  let model;
  try {
    model = decodeModel(onnxBytes);
  } catch (error) {
    throw new AlexNetError('ONNX_INVALID', `The file is not a valid ONNX model (${(error as Error).message}).`, { cause: error });
  }
  const imported = importOnnx(model, options.readExternal);
  // importOnnx planned every prefix of this list already, naming the node that made a bad layer.
  const plans = planNetwork(imported.network);
  const classes = plans[plans.length - 1].outputShape[0];
  const hasLrn = imported.network.layers.some((l) => l.type === 'lrn');
  const metadata: ModelMetadata = {
    version: FORMAT_VERSION,
    name: options.name ?? options.sourceFile ?? 'model',
    network: imported.network,
    preprocess: resolvePreprocess(options.preprocess, hasLrn),
    labels: resolveLabels(options.labels, classes),
    source: {
      kind: 'onnx',
      ...(options.sourceFile ? { file: options.sourceFile } : {}),
      converter: CONVERTER_NAME,
      description: options.description ?? `ONNX opset ${imported.opset}${imported.producer ? `, produced by ${imported.producer}` : ''}; weights ${precision}`,
    },
  };
  const tensors: TensorToWrite[] = [];
  const layers: LayerReport[] = plans.map((plan) => {
    const floatWeights = imported.weights.get(plan.layer.name);
    const report: LayerReport = { name: plan.layer.name, type: plan.layer.type, outputShape: [...plan.outputShape], parameters: plan.parameters, bytes: 0, dtype: '', relativeError: 0 };
    if (!floatWeights) return report;
    const name = plan.layer.name;
    // The source values first, so the message names an Inf in the ONNX file rather than the scale it made.
    asLoaderWould(`The ONNX weights of layer "${name}"`, () => checkLayerWeights({ weight: { dtype: 'F32', values: floatWeights.weight }, bias: floatWeights.bias }, name));
    const layer = layerTensors(name, plan.weightShapes.get(`${name}.weight`)!, floatWeights, precision);
    asLoaderWould(`The converted weights of layer "${name}"`, () => checkLayerWeights(layer.readBack, name));
    tensors.push(...layer.tensors);
    return { ...report, bytes: layer.tensors.reduce((sum, t) => sum + t.data.byteLength, 0), dtype: layer.dtype, relativeError: layer.error };
  });
  const chunks = encodeSafetensors(tensors, { [METADATA_KEY]: JSON.stringify(metadata) });
  const [prefix, header] = chunks;
  const totalBytes = chunks.reduce((sum, c) => sum + c.byteLength, 0);
  asLoaderWould('The converted file', () => readModelHeader(Uint8Array.from([...prefix, ...header]), totalBytes));
  return {
    chunks,
    metadata,
    layers,
    totalParameters: layers.reduce((sum, l) => sum + l.parameters, 0),
    totalBytes,
    folded: imported.folded,
  };
}
