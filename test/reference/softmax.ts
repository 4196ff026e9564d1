// Plain scalar softmax over the last axis of [N, D].
import type { SoftmaxShape } from '../../src/backends/backend.js';

export function softmaxReference(input: Float32Array, s: SoftmaxShape): Float32Array {
  const out = new Float32Array(input.length);
  for (let n = 0; n < s.N; n++) {
    const row = input.subarray(n * s.D, (n + 1) * s.D);
    const largest = Math.max(...row);
    let sum = 0;
    for (let i = 0; i < s.D; i++) sum += Math.exp(row[i] - largest);
    for (let i = 0; i < s.D; i++) out[n * s.D + i] = Math.exp(row[i] - largest) / sum;
  }
  return out;
}
