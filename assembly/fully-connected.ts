// fullyConnected: out[N, O] = relu?(bias[O] + weights[O, I] . input[N, I]).
// Batch 1 is bound by memory bandwidth: each weight row is read once and dotted with every
// image while it is still in L1. Int8 rows are widened to f32 in registers and the
// per-row scale is applied once to the sum (W8A32: sum(q * x) * scale == sum(q * scale * x)).
import { checkRange, madd, sumLanes } from './simd';

// dot(row of I int8, x of I f32), unscaled.
@inline function dotInt8(row: usize, x: usize, I: i32): f32 {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
  const vectorEnd = I & ~15;
  let i = 0;
  for (; i < vectorEnd; i += 16) {
    const q = v128.load(row + <usize>i);
    const low = i16x8.extend_low_i8x16_s(q);
    const high = i16x8.extend_high_i8x16_s(q);
    const xi = x + (<usize>i << 2);
    acc0 = madd(acc0, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(low)), v128.load(xi));
    acc1 = madd(acc1, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(low)), v128.load(xi, 16));
    acc2 = madd(acc2, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(high)), v128.load(xi, 32));
    acc3 = madd(acc3, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(high)), v128.load(xi, 48));
  }
  let sum = sumLanes(f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3)));
  for (; i < I; i++) sum += <f32>load<i8>(row + <usize>i) * load<f32>(x + (<usize>i << 2));
  return sum;
}

// dot(row of I f32, x of I f32).
@inline function dotF32(row: usize, x: usize, I: i32): f32 {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
  const vectorEnd = I & ~15;
  let i = 0;
  for (; i < vectorEnd; i += 16) {
    const wi = row + (<usize>i << 2);
    const xi = x + (<usize>i << 2);
    acc0 = madd(acc0, v128.load(wi), v128.load(xi));
    acc1 = madd(acc1, v128.load(wi, 16), v128.load(xi, 16));
    acc2 = madd(acc2, v128.load(wi, 32), v128.load(xi, 32));
    acc3 = madd(acc3, v128.load(wi, 48), v128.load(xi, 48));
  }
  let sum = sumLanes(f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3)));
  for (; i < I; i++) sum += load<f32>(row + (<usize>i << 2)) * load<f32>(x + (<usize>i << 2));
  return sum;
}

@inline function finish(value: f32, relu: bool): f32 {
  return relu ? max<f32>(value, 0) : value;
}

/** out [N, O] <- input [N, I], weights int8 [O, I], scales f32 [O], bias f32 [O]. */
export function fullyConnectedInt8(
  out: usize, input: usize, weights: usize, scales: usize, bias: usize, N: i32, I: i32, O: i32, relu: bool,
): void {
  checkRange(out, <usize>N * O << 2);
  checkRange(input, <usize>N * I << 2);
  checkRange(weights, <usize>O * I);
  checkRange(scales, <usize>O << 2);
  checkRange(bias, <usize>O << 2);
  for (let o = 0; o < O; o++) {
    const row = weights + <usize>o * I;
    const scale = load<f32>(scales + (<usize>o << 2));
    const b = load<f32>(bias + (<usize>o << 2));
    for (let n = 0; n < N; n++) {
      const value = dotInt8(row, input + (<usize>(n * I) << 2), I) * scale + b;
      store<f32>(out + (<usize>(n * O + o) << 2), finish(value, relu));
    }
  }
}

/** out [N, O] <- input [N, I], weights f32 [O, I], bias f32 [O]. */
export function fullyConnectedF32(
  out: usize, input: usize, weights: usize, bias: usize, N: i32, I: i32, O: i32, relu: bool,
): void {
  checkRange(out, <usize>N * O << 2);
  checkRange(input, <usize>N * I << 2);
  checkRange(weights, <usize>O * I << 2);
  checkRange(bias, <usize>O << 2);
  for (let o = 0; o < O; o++) {
    const row = weights + (<usize>o * I << 2);
    const b = load<f32>(bias + (<usize>o << 2));
    for (let n = 0; n < N; n++) {
      const value = dotF32(row, input + (<usize>(n * I) << 2), I) + b;
      store<f32>(out + (<usize>(n * O + o) << 2), finish(value, relu));
    }
  }
}
