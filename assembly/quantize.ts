// Dynamic activation quantization for int8 arithmetic (W8A8): a tensor's f32 values become integers in
// [-127, 127] with one scale per image, max |x| / 127, taken from the tensor itself. A non-negative
// tensor (after a ReLU) lands in [0, 127], the 7-bit unsigned operand of the relaxed dot product.
// Every thread derives the scale from the same per-plane maxima in the same order, so the integers do
// not depend on how the items are split.
import { checkRange } from './simd';

/** The largest quantized magnitude. */
export const LEVELS: f32 = 127;

/** Items [first, end) of maxima [planes] <- max |x| over each plane of `size` floats; item = plane. */
export function planeMaxima(maxima: usize, input: usize, planes: i32, size: i32, first: i32, end: i32): void {
  checkRange(maxima, <usize>planes << 2);
  checkRange(input, <usize>planes * size << 2);
  if (first < 0 || end > planes) unreachable();
  for (let plane = first; plane < end; plane++) {
    store<f32>(maxima + (<usize>plane << 2), largestMagnitude(input + (<usize>plane * size << 2), size));
  }
}

/**
 * max |x| of `count` floats: NaN if any is NaN (the step then makes the layer's outputs NaN, which the
 * engine reports). Compared as the integer bits of |x|: without the sign, integer order is float order
 * and every NaN lies above infinity. One integer max an instruction where f32x4.max's NaN rules take
 * several (the integer max's latency is one cycle, so one chain keeps up): conv1's maxima 0.17 -> 0.05 ms.
 */
function largestMagnitude(values: usize, count: i32): f32 {
  const magnitude = i32x4.splat(0x7fffffff);
  let best = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) best = i32x4.max_s(best, v128.and(v128.load(values + (<usize>i << 2)), magnitude));
  let result = max<i32>(max<i32>(i32x4.extract_lane(best, 0), i32x4.extract_lane(best, 1)), max<i32>(i32x4.extract_lane(best, 2), i32x4.extract_lane(best, 3)));
  for (; i < count; i++) result = max<i32>(result, load<i32>(values + (<usize>i << 2)) & 0x7fffffff);
  return reinterpret<f32>(result);
}

/** The largest of `count` plane maxima: one image's max |x|. */
export function largestOf(maxima: usize, count: i32): f32 {
  return largestMagnitude(maxima, count);
}

/** What x is multiplied by before rounding: LEVELS / max, or 0 when the tensor is all zeros (or max is not finite). */
@inline export function quantizeFactor(largest: f32): f32 {
  return largest > 0 && largest < Infinity ? LEVELS / largest : 0;
}

/**
 * The value of one quantization step: max / LEVELS; 0 for an all-zero tensor; NaN for one with a NaN or
 * an infinity, so that what overflowed stays visible in the outputs instead of becoming zeros.
 */
@inline export function stepOf(largest: f32): f32 {
  if (largest > 0 && largest < Infinity) return largest / LEVELS;
  return largest == 0 ? 0 : NaN;
}

/** round(x * factor) clamped to [-LEVELS, LEVELS], four lanes as i32 (NaN becomes 0). */
@inline export function quantize4(x: v128, factor: v128): v128 {
  const q = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(x, factor)));
  return i32x4.min_s(i32x4.max_s(q, i32x4.splat(-127)), i32x4.splat(127));
}

/** Scalar quantize4. */
@inline export function quantize1(x: f32, factor: f32): i32 {
  return i32x4.extract_lane(quantize4(f32x4.splat(x), f32x4.splat(factor)), 0);
}

/**
 * Items [first, end) of out [N][stride] bytes, steps [N] <- input [N, I] (item = row n), each row
 * quantized to [0, 127] with its own step (a fully connected layer's non-negative input: negatives
 * become 0); bytes from I to stride are 0.
 */
export function quantizeRows(out: usize, steps: usize, input: usize, N: i32, I: i32, stride: i32, first: i32, end: i32): void {
  checkRange(out, <usize>N * stride);
  checkRange(steps, <usize>N << 2);
  checkRange(input, <usize>N * I << 2);
  if (stride < I || (stride & 15) != 0 || first < 0 || end > N) unreachable();
  for (let n = first; n < end; n++) {
    const row = input + (<usize>(n * I) << 2);
    const largest = largestMagnitude(row, I);
    store<f32>(steps + (<usize>n << 2), stepOf(largest));
    const factor = f32x4.splat(quantizeFactor(largest));
    const dst = out + <usize>n * stride;
    let i = 0;
    for (; i + 16 <= I; i += 16) {
      const at = row + (<usize>i << 2);
      const low = i16x8.narrow_i32x4_s(quantize4(v128.load(at), factor), quantize4(v128.load(at, 16), factor));
      const high = i16x8.narrow_i32x4_s(quantize4(v128.load(at, 32), factor), quantize4(v128.load(at, 48), factor));
      v128.store(dst + <usize>i, i8x16.narrow_i16x8_u(low, high));
    }
    for (; i < I; i++) store<u8>(dst + <usize>i, <u8>max<i32>(quantize1(load<f32>(row + (<usize>i << 2)), f32x4.extract_lane(factor, 0)), 0));
    memory.fill(dst + <usize>I, 0, <usize>(stride - I));
  }
}
