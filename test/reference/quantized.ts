// Plain scalar int8 arithmetic (W8A8), the oracle for the int8 kernels: activations quantized per image
// to [-127, 127] (step = f32(max |x| / 127), q = round-half-even(f32(x * f32(127 / max)))), integer sums
// of products with the int8 weights, then y = f32(f32(f32(sum) * f32(scale * step)) + bias), ReLU'd.
// The kernels reach the same integers by other means (integer Winograd, dot products), so their
// outputs equal these bit for bit.
import type { Conv2dShape, FullyConnectedShape } from '../../src/backends/backend.js';

const LEVELS = 127;
const f32 = Math.fround;

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** w = q * scale, channel by channel: int8 weights [K, ...] widened as the f32 references take them. */
export function dequantizeReference(values: Int8Array, scales: Float32Array): Float32Array {
  const perChannel = values.length / scales.length;
  return Float32Array.from(values, (q, i) => q * scales[Math.floor(i / perChannel)]);
}

/** One image's values as integers in [-127, 127] and the step each stands for. */
export function quantizeImage(values: ArrayLike<number>): { q: Int32Array; step: number } {
  let largest = 0;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]));
  largest = f32(largest);
  const usable = largest > 0 && Number.isFinite(largest);
  const factor = usable ? f32(LEVELS / largest) : 0;
  const q = Int32Array.from(values, (x) => Math.min(LEVELS, Math.max(-LEVELS, roundHalfEven(f32(x * factor)))));
  // A tensor with a NaN or an infinity has a NaN step: the kernels keep overflow visible.
  return { q, step: usable ? f32(largest / LEVELS) : largest === 0 ? 0 : Number.NaN };
}

function finish(sum: number, scale: number, step: number, bias: number, relu: boolean): number {
  const y = f32(f32(f32(sum) * f32(scale * step)) + bias);
  return relu ? Math.max(0, y) : y;
}

/** conv2d with int8 arithmetic: out [N, K, OH, OW] from input [N, C, H, W], int8 weights [K, C/G, R, S] with scales [K], bias [K]. */
export function conv2dInt8Reference(input: Float32Array, weights: Int8Array, scales: Float32Array, bias: Float32Array, s: Conv2dShape): Float32Array {
  const { N, C, H, W, K, R, S, G, OH, OW } = s;
  const Cg = C / G;
  const Kg = K / G;
  const out = new Float32Array(N * K * OH * OW);
  for (let n = 0; n < N; n++) {
    const { q, step } = quantizeImage(input.subarray(n * C * H * W, (n + 1) * C * H * W));
    for (let k = 0; k < K; k++) {
      const g = Math.floor(k / Kg);
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let sum = 0;
          for (let c = 0; c < Cg; c++) {
            for (let r = 0; r < R; r++) {
              const ih = oh * s.strideH + r - s.padTop;
              if (ih < 0 || ih >= H) continue;
              for (let t = 0; t < S; t++) {
                const iw = ow * s.strideW + t - s.padLeft;
                if (iw < 0 || iw >= W) continue;
                sum += weights[((k * Cg + c) * R + r) * S + t] * q[((g * Cg + c) * H + ih) * W + iw];
              }
            }
          }
          out[((n * K + k) * OH + oh) * OW + ow] = finish(sum, scales[k], step, bias[k], s.relu);
        }
      }
    }
  }
  return out;
}

/** Fully connected with int8 arithmetic on a non-negative input [N, I]: int8 weights [O, I] with scales [O], bias [O]. */
export function fullyConnectedInt8Reference(
  input: Float32Array, weights: Int8Array, scales: Float32Array, bias: Float32Array, s: FullyConnectedShape,
): Float32Array {
  const { N, I, O } = s;
  const out = new Float32Array(N * O);
  for (let n = 0; n < N; n++) {
    const { q, step } = quantizeImage(input.subarray(n * I, (n + 1) * I));
    for (let o = 0; o < O; o++) {
      let sum = 0;
      for (let i = 0; i < I; i++) sum += weights[o * I + i] * Math.max(0, q[i]);
      out[n * O + o] = finish(sum, scales[o], step, bias[o], s.relu);
    }
  }
  return out;
}

/**
 * How far int8 arithmetic may be from f32 arithmetic on the same (dequantized) weights, per output:
 * each activation moves by at most step / 2 when rounded, so |error| <= step / 2 * sum |w| over the
 * output's inputs, plus f32 rounding (1e-5 relative). `weightMagnitudes[i]` is that sum for output i,
 * `steps[n]` the step of image n, `perImage` the outputs of one image.
 */
export function quantizationBound(expected: Float32Array, weightMagnitudes: Float32Array, steps: number[], perImage: number): Float32Array {
  return Float32Array.from(expected, (y, i) => (steps[Math.floor(i / perImage)] / 2) * weightMagnitudes[i] + 1e-5 * Math.abs(y) + 1e-6);
}

/** Elementwise |actual - f32Expected| <= bound (expectClose against zero excess, naming the first element over). */
export function excessOverBound(actual: Float32Array, f32Expected: Float32Array, bound: Float32Array): Float32Array {
  return Float32Array.from(actual, (y, i) => Math.max(0, Math.abs(y - f32Expected[i]) - bound[i]));
}
