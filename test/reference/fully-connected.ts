// Plain scalar fully connected: out [N, O] = bias + weight [O, I] . input [N, I], weights f32 or
// int8 with one scale per output row.
import type { FullyConnectedShape } from '../../src/backends/backend.js';

export function fullyConnectedReference(
  input: Float32Array, weight: Float32Array | Int8Array, scales: Float32Array | undefined, bias: Float32Array, s: FullyConnectedShape,
): Float32Array {
  const { N, I, O } = s;
  const out = new Float32Array(N * O);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      let sum = 0;
      for (let i = 0; i < I; i++) sum += weight[o * I + i] * (scales ? scales[o] : 1) * input[n * I + i];
      sum += bias[o];
      out[n * O + o] = s.relu ? Math.max(0, sum) : sum;
    }
  }
  return out;
}
