// fullyConnected: out[N, O] = relu?(bias[O] + weights[O, I] . input[N, I]).
// Batch 1 is bound by memory bandwidth: each weight row is read once and dotted with every
// image while it is still in L1; int8 rows go in pairs so each input vector loaded serves two rows.
// Int8 rows are widened to f32 in registers and the per-row scale is applied once to the sum
// (W8A32: sum(q * x) * scale == sum(q * scale * x)). Threads share out the rows: an int8 item is a pair
// of rows (the last one alone when O is odd), an f32 item one row.
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

// Four widened int8 lanes times four inputs, accumulated.
@inline function maddInt8(acc: v128, q32: v128, x: v128): v128 {
  return madd(acc, f32x4.convert_i32x4_s(q32), x);
}

// The two sums of dotInt8Pair: wasm globals, so each thread's instance has its own.
let pairSum0: f32 = 0;
let pairSum1: f32 = 0;

// pairSum0, pairSum1 <- dot(row0, x), dot(row1, x) for two int8 rows: the 16 inputs loaded per step serve both rows.
@inline function dotInt8Pair(row0: usize, row1: usize, x: usize, I: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
  const vectorEnd = I & ~15;
  let i = 0;
  for (; i < vectorEnd; i += 16) {
    const xi = x + (<usize>i << 2);
    const x0 = v128.load(xi), x1 = v128.load(xi, 16), x2 = v128.load(xi, 32), x3 = v128.load(xi, 48);
    const p = v128.load(row0 + <usize>i);
    const pLow = i16x8.extend_low_i8x16_s(p), pHigh = i16x8.extend_high_i8x16_s(p);
    a0 = maddInt8(a0, i32x4.extend_low_i16x8_s(pLow), x0);
    a1 = maddInt8(a1, i32x4.extend_high_i16x8_s(pLow), x1);
    a0 = maddInt8(a0, i32x4.extend_low_i16x8_s(pHigh), x2);
    a1 = maddInt8(a1, i32x4.extend_high_i16x8_s(pHigh), x3);
    const q = v128.load(row1 + <usize>i);
    const qLow = i16x8.extend_low_i8x16_s(q), qHigh = i16x8.extend_high_i8x16_s(q);
    b0 = maddInt8(b0, i32x4.extend_low_i16x8_s(qLow), x0);
    b1 = maddInt8(b1, i32x4.extend_high_i16x8_s(qLow), x1);
    b0 = maddInt8(b0, i32x4.extend_low_i16x8_s(qHigh), x2);
    b1 = maddInt8(b1, i32x4.extend_high_i16x8_s(qHigh), x3);
  }
  let sum0 = sumLanes(f32x4.add(a0, a1));
  let sum1 = sumLanes(f32x4.add(b0, b1));
  for (; i < I; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    sum0 += <f32>load<i8>(row0 + <usize>i) * v;
    sum1 += <f32>load<i8>(row1 + <usize>i) * v;
  }
  pairSum0 = sum0;
  pairSum1 = sum1;
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

/** Items [first, end) of out [N, O] <- input [N, I], weights int8 [O, I], scales f32 [O], bias f32 [O]; item = rows 2i, 2i + 1. */
export function fullyConnectedInt8(
  out: usize, input: usize, weights: usize, scales: usize, bias: usize, N: i32, I: i32, O: i32, relu: bool, first: i32, end: i32,
): void {
  checkRange(out, <usize>N * O << 2);
  checkRange(input, <usize>N * I << 2);
  checkRange(weights, <usize>O * I);
  checkRange(scales, <usize>O << 2);
  checkRange(bias, <usize>O << 2);
  if (first < 0 || end > (O + 1) / 2) unreachable();
  for (let item = first; item < end; item++) {
    const o = item * 2;
    const row = weights + <usize>o * I;
    if (o + 1 == O) {
      const scale = load<f32>(scales + (<usize>o << 2));
      const b = load<f32>(bias + (<usize>o << 2));
      for (let n = 0; n < N; n++) {
        const value = dotInt8(row, input + (<usize>(n * I) << 2), I) * scale + b;
        store<f32>(out + (<usize>(n * O + o) << 2), finish(value, relu));
      }
      continue;
    }
    const scale0 = load<f32>(scales + (<usize>o << 2)), scale1 = load<f32>(scales + (<usize>o << 2), 4);
    const b0 = load<f32>(bias + (<usize>o << 2)), b1 = load<f32>(bias + (<usize>o << 2), 4);
    for (let n = 0; n < N; n++) {
      dotInt8Pair(row, row + <usize>I, input + (<usize>(n * I) << 2), I);
      const dst = out + (<usize>(n * O + o) << 2);
      store<f32>(dst, finish(pairSum0 * scale0 + b0, relu));
      store<f32>(dst, finish(pairSum1 * scale1 + b1, relu), 4);
    }
  }
}

/** Items [first, end) of out [N, O] <- input [N, I], weights f32 [O, I], bias f32 [O]; item = row. */
export function fullyConnectedF32(
  out: usize, input: usize, weights: usize, bias: usize, N: i32, I: i32, O: i32, relu: bool, first: i32, end: i32,
): void {
  checkRange(out, <usize>N * O << 2);
  checkRange(input, <usize>N * I << 2);
  checkRange(weights, <usize>O * I << 2);
  checkRange(bias, <usize>O << 2);
  if (first < 0 || end > O) unreachable();
  for (let o = first; o < end; o++) {
    const row = weights + (<usize>o * I << 2);
    const b = load<f32>(bias + (<usize>o << 2));
    for (let n = 0; n < N; n++) {
      const value = dotF32(row, input + (<usize>(n * I) << 2), I) + b;
      store<f32>(out + (<usize>(n * O + o) << 2), finish(value, relu));
    }
  }
}
