// What every backend does with int8 weights on upload: check their scales, or widen them to f32.
import { AlexNetError } from '../errors.js';
import type { QuantizedTensor } from './backend.js';

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
