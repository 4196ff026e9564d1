// Plain scalar LRN across channels (ONNX definition): the window of channel c runs from
// c - floor((size - 1) / 2) to c + ceil((size - 1) / 2); `alpha` is already the per-element factor.
import type { LrnShape } from '../../src/backends/backend.js';

export function lrnReference(input: Float32Array, s: LrnShape): Float32Array {
  const { N, C, H, W, size, alpha, beta, k } = s;
  const HW = H * W;
  const out = new Float32Array(input.length);
  const before = Math.floor((size - 1) / 2);
  const after = Math.ceil((size - 1) / 2);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < HW; p++) {
        let sum = 0;
        for (let j = Math.max(0, c - before); j <= Math.min(C - 1, c + after); j++) sum += input[(n * C + j) * HW + p] ** 2;
        const i = (n * C + c) * HW + p;
        out[i] = input[i] / Math.pow(k + alpha * sum, beta);
      }
    }
  }
  return out;
}
