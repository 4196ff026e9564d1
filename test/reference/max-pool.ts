// Plain scalar max-pool: out [N, C, OH, OW]; windows clipped to the input, padding never wins.
import type { MaxPoolShape } from '../../src/backends/backend.js';

export function maxPoolReference(input: Float32Array, s: MaxPoolShape): Float32Array {
  const { N, C, H, W, OH, OW } = s;
  const out = new Float32Array(N * C * OH * OW);
  for (let plane = 0; plane < N * C; plane++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let best = -Infinity;
        for (let r = 0; r < s.kernelH; r++) {
          const ih = oh * s.strideH + r - s.padTop;
          if (ih < 0 || ih >= H) continue;
          for (let q = 0; q < s.kernelW; q++) {
            const iw = ow * s.strideW + q - s.padLeft;
            if (iw >= 0 && iw < W) best = Math.max(best, input[(plane * H + ih) * W + iw]);
          }
        }
        out[(plane * OH + oh) * OW + ow] = best;
      }
    }
  }
  return out;
}
