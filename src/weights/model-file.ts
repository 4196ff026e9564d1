// An alexnet-web weights file: a safetensors container whose tensors match the layer list in its metadata.
import type { LayerWeights } from '../backends/backend.js';
import { AlexNetError } from '../errors.js';
import { METADATA_KEY, parseMetadata, type ModelMetadata } from '../model/metadata.js';
import type { LayerPlan } from '../model/shapes.js';
import { isWeighted } from '../model/spec.js';
import { halvesToFloats } from './float16.js';
import { parseHeader, type SafetensorsHeader, type TensorEntry } from './safetensors.js';

export interface ModelHeader {
  header: SafetensorsHeader;
  metadata: ModelMetadata;
  plans: LayerPlan[];
  /** The tensors of each weighted layer, in file order of their last byte. */
  layerTensors: Map<string, TensorEntry[]>;
}

function mismatch(message: string): never {
  throw new AlexNetError('WEIGHTS_SHAPE_MISMATCH', `${message} The file does not match its own layer list; convert the model again.`);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Checks the tensor list against the layer list: names, dtypes and shapes. */
function matchTensors(header: SafetensorsHeader, plans: LayerPlan[]): Map<string, TensorEntry[]> {
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  const layerTensors = new Map<string, TensorEntry[]>();
  for (const plan of plans) {
    if (!isWeighted(plan.layer)) continue;
    const entries: TensorEntry[] = [];
    for (const [name, shape] of plan.weightShapes) {
      const entry = byName.get(name) ?? mismatch(`Tensor "${name}" [${shape.join(', ')}] is missing.`);
      if (!sameShape(entry.shape, shape)) mismatch(`Tensor "${name}" has shape [${entry.shape.join(', ')}], expected [${shape.join(', ')}].`);
      if (name.endsWith('.bias') && entry.dtype !== 'F32') mismatch(`Tensor "${name}" is ${entry.dtype}; biases are F32.`);
      entries.push(entry);
      byName.delete(name);
    }
    const weight = entries[0];
    const scaleName = `${plan.layer.name}.weight_scale`;
    const scale = byName.get(scaleName);
    if (weight.dtype === 'I8') {
      if (!scale) mismatch(`Tensor "${weight.name}" is I8 but "${scaleName}" is missing.`);
      if (scale.dtype !== 'F32' || !sameShape(scale.shape, [weight.shape[0]])) mismatch(`Tensor "${scaleName}" must be F32 [${weight.shape[0]}].`);
      entries.push(scale);
      byName.delete(scaleName);
    } else if (scale) {
      mismatch(`Tensor "${scaleName}" is present but "${weight.name}" is ${weight.dtype}, not I8.`);
    }
    layerTensors.set(plan.layer.name, entries);
  }
  if (byName.size > 0) mismatch(`Tensors ${[...byName.keys()].map((n) => `"${n}"`).join(', ')} belong to no layer.`);
  return layerTensors;
}

/** Parses and checks everything but the tensor values; `bytes` holds at least the header. */
export function readModelHeader(bytes: Uint8Array, fileBytes?: number): ModelHeader {
  const header = parseHeader(bytes, fileBytes);
  const { metadata, plans } = parseMetadata(header.metadata[METADATA_KEY]);
  return { header, metadata, plans, layerTensors: matchTensors(header, plans) };
}

/** The bytes of one tensor as a typed array; copies only when the offset is not aligned. */
function tensorValues(bytes: Uint8Array, entry: TensorEntry): Int8Array | Float32Array {
  const raw = bytes.subarray(entry.begin, entry.end);
  if (entry.dtype === 'I8') return new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const width = entry.dtype === 'F32' ? 4 : 2;
  // Copy through the constructor: Buffer.slice would return another unaligned view.
  const aligned = raw.byteOffset % width === 0 ? raw : new Uint8Array(raw);
  if (entry.dtype === 'F32') return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  return halvesToFloats(new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2));
}

/** Weight, bias and scale magnitudes read: real models stay far below, and no product overflows f32. */
export const PARAMETER_LIMITS = { value: 1e6, scale: 1e4 } as const;

function requireInRange(values: Float32Array, name: string, isScale: boolean): void {
  const limit = isScale ? PARAMETER_LIMITS.scale : PARAMETER_LIMITS.value;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // Written so that NaN fails too.
    if (!(isScale ? v > 0 && v <= limit : Math.abs(v) <= limit)) {
      const rule = isScale ? `scales must be positive and at most ${limit}` : `values must be finite and at most ${limit} in magnitude`;
      throw new AlexNetError('WEIGHTS_CORRUPT', `Tensor "${name}" holds ${v} at index ${i}; ${rule}. The file is damaged; convert or download it again.`);
    }
  }
}

/** Throws WEIGHTS_CORRUPT for a NaN, an Inf or a value out of PARAMETER_LIMITS in one layer's weights. */
export function checkLayerWeights(weights: LayerWeights, layerName: string): void {
  requireInRange(weights.bias, `${layerName}.bias`, false);
  if (weights.weight.dtype === 'I8') requireInRange(weights.weight.scales, `${layerName}.weight_scale`, true);
  else requireInRange(weights.weight.values, `${layerName}.weight`, false);
}

/**
 * Weights of one layer out of `bytes` (the whole file, or any buffer where entries' offsets point).
 * Every value but int8 weights is checked against PARAMETER_LIMITS (int8 cannot hold NaN or Inf).
 */
export function readLayerWeights(bytes: Uint8Array, entries: TensorEntry[]): LayerWeights {
  const [weightEntry, biasEntry, scaleEntry] = entries;
  const bias = tensorValues(bytes, biasEntry) as Float32Array;
  const values = tensorValues(bytes, weightEntry);
  const weights: LayerWeights =
    weightEntry.dtype === 'I8'
      ? { weight: { dtype: 'I8', values: values as Int8Array, scales: tensorValues(bytes, scaleEntry) as Float32Array }, bias }
      : { weight: { dtype: 'F32', values: values as Float32Array }, bias };
  checkLayerWeights(weights, weightEntry.name.slice(0, -'.weight'.length));
  return weights;
}

/** Everything in a complete file in memory: header, metadata, plans and every layer's weights. */
export function readModel(bytes: Uint8Array): ModelHeader & { weights: Map<string, LayerWeights> } {
  const model = readModelHeader(bytes, bytes.byteLength);
  const weights = new Map<string, LayerWeights>();
  for (const plan of model.plans) {
    if (!isWeighted(plan.layer)) continue;
    weights.set(plan.layer.name, readLayerWeights(bytes, model.layerTensors.get(plan.layer.name)!));
  }
  return { ...model, weights };
}
