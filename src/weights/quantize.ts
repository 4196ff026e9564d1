// Symmetric int8 quantization with one scale per output channel: w ~= q * scale, q in [-127, 127].
import { AlexNetError } from '../errors.js';

export interface QuantizedTensor {
  /** Same layout as the input, [K, ...]. */
  values: Int8Array;
  /** [K]: max |w| of the channel / 127 (1 for an all-zero channel, so scales stay positive). */
  scales: Float32Array;
}

/** Quantizes `weight` [K, ...] per leading index. */
export function quantizePerChannel(weight: Float32Array, K: number): QuantizedTensor {
  const perChannel = weight.length / K;
  const values = new Int8Array(weight.length);
  const scales = new Float32Array(K);
  for (let k = 0; k < K; k++) {
    const begin = k * perChannel;
    const end = begin + perChannel;
    let largest = 0;
    for (let i = begin; i < end; i++) largest = Math.max(largest, Math.abs(weight[i]));
    const scale = largest > 0 ? largest / 127 : 1;
    scales[k] = scale;
    for (let i = begin; i < end; i++) values[i] = Math.max(-127, Math.min(127, Math.round(weight[i] / scale)));
  }
  return { values, scales };
}

/** A per-output-channel quantized tensor must have one scale per output channel. */
export function checkScaleCount(q: QuantizedTensor, K: number, op: string): void {
  if (q.scales.length !== K) throw new AlexNetError('WEIGHTS_SHAPE_MISMATCH', `${op} has ${K} output channels but ${q.scales.length} scales.`);
}

/** q * scale, back to f32 [K, ...]. */
export function dequantize(q: QuantizedTensor): Float32Array {
  const { values, scales } = q;
  const perChannel = values.length / scales.length;
  const out = new Float32Array(values.length);
  // Plain loops: Float32Array.from with a mapper is ten times slower, and this runs on every load.
  for (let k = 0, i = 0; k < scales.length; k++) {
    const scale = scales[k];
    for (const end = i + perChannel; i < end; i++) out[i] = values[i] * scale;
  }
  return out;
}

/** ||original - restored|| / ||original||: the error the converter reports per layer. */
export function relativeError(original: Float32Array, restored: Float32Array): number {
  let error = 0;
  let norm = 0;
  for (let i = 0; i < original.length; i++) {
    error += (original[i] - restored[i]) ** 2;
    norm += original[i] ** 2;
  }
  return norm > 0 ? Math.sqrt(error / norm) : 0;
}
