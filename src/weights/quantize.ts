// Symmetric int8 quantization with one scale per output channel: w ~= q * scale, q in [-127, 127].
import type { QuantizedTensor } from '../backends/backend.js';

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
