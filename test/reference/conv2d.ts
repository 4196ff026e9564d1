// Plain scalar conv2d, the oracle for every backend: out [N, K, OH, OW] from input [N, C, H, W],
// weight [K, C/G, R, S], bias [K]; padding counts as zeros.
import type { Conv2dShape } from '../../src/backends/backend.js';

export function conv2dReference(input: Float32Array, weight: Float32Array, bias: Float32Array, s: Conv2dShape): Float32Array {
  const { N, C, H, W, K, R, S, G, OH, OW } = s;
  const Cg = C / G;
  const Kg = K / G;
  const out = new Float32Array(N * K * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const g = Math.floor(k / Kg);
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let sum = bias[k];
          for (let c = 0; c < Cg; c++) {
            for (let r = 0; r < R; r++) {
              const ih = oh * s.strideH + r - s.padTop;
              if (ih < 0 || ih >= H) continue;
              for (let q = 0; q < S; q++) {
                const iw = ow * s.strideW + q - s.padLeft;
                if (iw < 0 || iw >= W) continue;
                sum += weight[((k * Cg + c) * R + r) * S + q] * input[((n * C + g * Cg + c) * H + ih) * W + iw];
              }
            }
          }
          out[((n * K + k) * OH + oh) * OW + ow] = s.relu ? Math.max(0, sum) : sum;
        }
      }
    }
  }
  return out;
}
