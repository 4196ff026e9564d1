// fullyConnected: out[N, O] = relu?(bias[O] + weights[O, I] . input[N, I]).
// Batch 1 is bound by memory bandwidth: each weight row is read once and dotted with every
// image while it is still in cache; rows go eight (f32), two (int8) or eight (int8 arithmetic) at a time,
// so each input vector loaded serves several rows and several reads are in flight. Int8 rows are widened to f32 in
// registers and the per-row scale is applied once to the sum (W8A32: sum(q * x) * scale == sum(q *
// scale * x)). Threads share out the rows: an int8 item is a pair of rows (the last one alone when O is
// odd), an int8-arithmetic item and an f32 item eight rows (fewer at the end).
import { checkRange, laneTotals, madd, relu4, sumLanes } from './simd';

// Four widened int8 lanes times four inputs, accumulated.
@inline function maddInt8(acc: v128, q32: v128, x: v128): v128 {
  return madd(acc, f32x4.convert_i32x4_s(q32), x);
}

// The two sums of dotInt8Pair: wasm globals, so each thread's instance has its own.
let pairSum0: f32 = 0;
let pairSum1: f32 = 0;

// pairSum0, pairSum1 <- dot(row0, x), dot(row1, x) for two int8 rows: the 16 inputs loaded per step serve both rows.
function dotInt8Pair(row0: usize, row1: usize, x: usize, I: i32): void {
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
      // The last row alone when O is odd: as both rows of a pair.
      const scale = load<f32>(scales + (<usize>o << 2));
      const b = load<f32>(bias + (<usize>o << 2));
      for (let n = 0; n < N; n++) {
        dotInt8Pair(row, row, input + (<usize>(n * I) << 2), I);
        store<f32>(out + (<usize>(n * O + o) << 2), finish(pairSum0 * scale + b, relu));
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

/**
 * Rows an f32 item reads side by side: fc6 alone ran 12.3 -> 7.7 ms at 1 thread with four instead of
 * one, and 7.3 with eight (more reads in flight).
 */
export const F32_ROWS_PER_ITEM: i32 = 8;

// The sums of dotF32Eight (f32 lanes) and of dotQuantizedEight (i32 lanes), rows 0-3 and 4-7 one per
// lane: wasm globals, so each thread's instance has its own.
let eightSums0: v128 = i32x4.splat(0);
let eightSums1: v128 = i32x4.splat(0);

/** dot(row, x) over [from, I) of f32 values, one at a time: the tail past the last 4. */
function tailDotF32(row: usize, x: usize, from: i32, I: i32): f32 {
  let sum: f32 = 0;
  for (let i = from; i < I; i++) sum += load<f32>(row + (<usize>i << 2)) * load<f32>(x + (<usize>i << 2));
  return sum;
}

/** The tails over [from, I) of rows k0 .. k0 + 3, `r` bytes apart, one per lane. */
function tailsF32(rows: usize, r: usize, x: usize, from: i32, I: i32, k0: i32): v128 {
  // The last row first: each shifts the lanes up by one and fills lane 0.
  let tail = f32x4.splat(0);
  for (let k = k0 + 3; k >= k0; k--) {
    tail = i8x16.shuffle(f32x4.splat(tailDotF32(rows + <usize>k * r, x, from, I)), tail, 0, 1, 2, 3, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27);
  }
  return tail;
}

// eightSums0, eightSums1 <- dot(row k, x) for the eight f32 rows of I at `rows`, `r` bytes apart (k = 0-7): each input load serves eight rows.
function dotF32Eight(rows: usize, r: usize, x: usize, I: i32): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const vectorEnd = I & ~3;
  let i = 0;
  for (; i < vectorEnd; i += 4) {
    const xi = v128.load(x + (<usize>i << 2));
    const at = rows + (<usize>i << 2);
    a0 = madd(a0, v128.load(at), xi);
    a1 = madd(a1, v128.load(at + r), xi);
    a2 = madd(a2, v128.load(at + 2 * r), xi);
    a3 = madd(a3, v128.load(at + 3 * r), xi);
    a4 = madd(a4, v128.load(at + 4 * r), xi);
    a5 = madd(a5, v128.load(at + 5 * r), xi);
    a6 = madd(a6, v128.load(at + 6 * r), xi);
    a7 = madd(a7, v128.load(at + 7 * r), xi);
  }
  eightSums0 = laneTotals<f32>(a0, a1, a2, a3);
  eightSums1 = laneTotals<f32>(a4, a5, a6, a7);
  if (i == I) return;
  eightSums0 = f32x4.add(eightSums0, tailsF32(rows, r, x, i, I, 0));
  eightSums1 = f32x4.add(eightSums1, tailsF32(rows, r, x, i, I, 4));
}

/** Items [first, end) of out [N, O] <- input [N, I], weights f32 [O, I], bias f32 [O]; item = rows 8i to 8i + 7 (fewer in the last). */
export function fullyConnectedF32(
  out: usize, input: usize, weights: usize, bias: usize, N: i32, I: i32, O: i32, relu: bool, first: i32, end: i32,
): void {
  checkRange(out, <usize>N * O << 2);
  checkRange(input, <usize>N * I << 2);
  checkRange(weights, <usize>O * I << 2);
  checkRange(bias, <usize>O << 2);
  if (first < 0 || end > (O + F32_ROWS_PER_ITEM - 1) / F32_ROWS_PER_ITEM) unreachable();
  for (let item = first; item < end; item++) {
    const o0 = item * F32_ROWS_PER_ITEM;
    if (o0 + F32_ROWS_PER_ITEM <= O) {
      const rows = weights + (<usize>o0 * I << 2);
      const b0 = v128.load(bias + (<usize>o0 << 2));
      const b1 = v128.load(bias + (<usize>o0 << 2), 16);
      for (let n = 0; n < N; n++) {
        dotF32Eight(rows, <usize>I << 2, input + (<usize>(n * I) << 2), I);
        const dst = out + (<usize>(n * O + o0) << 2);
        const value0 = f32x4.add(eightSums0, b0);
        const value1 = f32x4.add(eightSums1, b1);
        v128.store(dst, relu ? relu4(value0) : value0);
        v128.store(dst, relu ? relu4(value1) : value1, 16);
      }
      continue;
    }
    // The last rows when O is not a multiple of eight: one at a time, as the eight lanes of one row (stride 0).
    for (let o = o0; o < O; o++) {
      const row = weights + (<usize>o * I << 2);
      const b = load<f32>(bias + (<usize>o << 2));
      for (let n = 0; n < N; n++) {
        dotF32Eight(row, 0, input + (<usize>(n * I) << 2), I);
        store<f32>(out + (<usize>(n * O + o) << 2), finish(f32x4.extract_lane(eightSums0, 0) + b, relu));
      }
    }
  }
}

// acc + the dot products of 16 int8 weights with 16 activations in [0, 127], four i32 lanes. `relaxed`:
// one i8 x i7 dot product (exact for these operands; only in the relaxed-SIMD build); else both widened
// to i16 and two i32x4.dot_i16x8_s, for engines whose relaxed dot product fails the self-test too.
@inline function dot16(acc: v128, w: v128, x: v128, relaxed: bool): v128 {
  if (ASC_FEATURE_RELAXED_SIMD && relaxed) return i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x, acc);
  const low = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(w), i16x8.extend_low_i8x16_u(x));
  return i32x4.add(acc, i32x4.add(low, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(w), i16x8.extend_high_i8x16_u(x))));
}

/** Rows an int8-arithmetic item reads side by side: fc6 alone ran 3.27 -> 2.33 ms at 1 thread with eight instead of two (more reads in flight). */
export const W8A8_ROWS_PER_ITEM: i32 = 8;

/** dot(row, x) over [from, I), one value at a time: the tail past the last 16. */
function tailDot(row: usize, x: usize, from: i32, I: i32): i32 {
  let sum = 0;
  for (let i = from; i < I; i++) sum += <i32>load<i8>(row + <usize>i) * <i32>load<u8>(x + <usize>i);
  return sum;
}

// eightSums0, eightSums1 <- dot(row k, x) for the eight int8 rows of I at `rows`, `r` bytes apart (k = 0-7), and I quantized activations.
@inline function dotQuantizedEight(rows: usize, r: usize, x: usize, I: i32, relaxed: bool): void {
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const vectorEnd = I & ~15;
  let i = 0;
  for (; i < vectorEnd; i += 16) {
    const xi = v128.load(x + <usize>i);
    const at = rows + <usize>i;
    a0 = dot16(a0, v128.load(at), xi, relaxed);
    a1 = dot16(a1, v128.load(at + r), xi, relaxed);
    a2 = dot16(a2, v128.load(at + 2 * r), xi, relaxed);
    a3 = dot16(a3, v128.load(at + 3 * r), xi, relaxed);
    a4 = dot16(a4, v128.load(at + 4 * r), xi, relaxed);
    a5 = dot16(a5, v128.load(at + 5 * r), xi, relaxed);
    a6 = dot16(a6, v128.load(at + 6 * r), xi, relaxed);
    a7 = dot16(a7, v128.load(at + 7 * r), xi, relaxed);
  }
  eightSums0 = laneTotals<i32>(a0, a1, a2, a3);
  eightSums1 = laneTotals<i32>(a4, a5, a6, a7);
  if (i == I) return;
  // Each row's tail, the last row first: each shifts the eight lanes up by one and fills lane 0.
  let tail0 = i32x4.splat(0), tail1 = tail0;
  for (let k = 7; k >= 0; k--) {
    tail1 = i8x16.shuffle(tail0, tail1, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27);
    tail0 = i8x16.shuffle(i32x4.splat(tailDot(rows + <usize>k * r, x, i, I)), tail0, 0, 1, 2, 3, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27);
  }
  eightSums0 = i32x4.add(eightSums0, tail0);
  eightSums1 = i32x4.add(eightSums1, tail1);
}

// dotQuantizedEight, one copy in the module per kind of dot product (the blocks and the last rows call it).
function dotQuantizedEightRelaxed(rows: usize, r: usize, x: usize, I: i32): void {
  dotQuantizedEight(rows, r, x, I, true);
}

function dotQuantizedEightWidened(rows: usize, r: usize, x: usize, I: i32): void {
  dotQuantizedEight(rows, r, x, I, false);
}

@inline function dotQuantizedRows(rows: usize, r: usize, x: usize, I: i32, relaxed: bool): void {
  if (relaxed) dotQuantizedEightRelaxed(rows, r, x, I);
  else dotQuantizedEightWidened(rows, r, x, I);
}

/** Four outputs from four integer sums: f32(sum) * (scale * step) + bias, ReLU'd; as finish() does one by one. */
@inline function finishFour(sums: v128, scales: usize, step: v128, bias: usize, relu: bool): v128 {
  const v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(sums), f32x4.mul(v128.load(scales), step)), v128.load(bias));
  return relu ? relu4(v) : v;
}

// Items [first, end) of fullyConnectedW8A8 (see there), with the relaxed dot product or the widened one.
@inline function multiplyQuantizedRows(
  out: usize, quantized: usize, steps: usize, weights: usize, scales: usize, bias: usize,
  N: i32, I: i32, O: i32, stride: i32, relu: bool, first: i32, end: i32, relaxed: bool,
): void {
  checkRange(out, <usize>N * O << 2);
  checkRange(quantized, <usize>N * stride);
  checkRange(steps, <usize>N << 2);
  checkRange(weights, <usize>O * I);
  checkRange(scales, <usize>O << 2);
  checkRange(bias, <usize>O << 2);
  if (stride < I || first < 0 || end > (O + W8A8_ROWS_PER_ITEM - 1) / W8A8_ROWS_PER_ITEM) unreachable();
  for (let item = first; item < end; item++) {
    const o0 = item * W8A8_ROWS_PER_ITEM;
    const rows = weights + <usize>o0 * I;
    if (o0 + W8A8_ROWS_PER_ITEM <= O) {
      const rowScales = scales + (<usize>o0 << 2);
      const rowBias = bias + (<usize>o0 << 2);
      for (let n = 0; n < N; n++) {
        dotQuantizedRows(rows, <usize>I, quantized + <usize>n * stride, I, relaxed);
        const step = f32x4.splat(load<f32>(steps + (<usize>n << 2)));
        const dst = out + (<usize>(n * O + o0) << 2);
        v128.store(dst, finishFour(eightSums0, rowScales, step, rowBias, relu));
        v128.store(dst, finishFour(eightSums1, rowScales + 16, step, rowBias + 16, relu), 16);
      }
      continue;
    }
    // The last rows when O is not a multiple of eight: one at a time, as the eight lanes of one row (stride 0).
    for (let o = o0; o < O; o++) {
      const row = weights + <usize>o * I;
      for (let n = 0; n < N; n++) {
        dotQuantizedRows(row, 0, quantized + <usize>n * stride, I, relaxed);
        const step = load<f32>(steps + (<usize>n << 2));
        const sum = <f32>i32x4.extract_lane(eightSums0, 0);
        store<f32>(out + (<usize>(n * O + o) << 2), finish(sum * (load<f32>(scales + (<usize>o << 2)) * step) + load<f32>(bias + (<usize>o << 2)), relu));
      }
    }
  }
}

/**
 * Items [first, end) of int8 arithmetic (W8A8), item = rows 8i to 8i + 7 (fewer in the last): out [N, O] <- quantized input
 * [N][stride] bytes in [0, 127] with steps [N] (quantizeRows), weights int8 [O, I], scales f32 [O],
 * bias f32 [O]: y = f32(integer dot) * (scale * step) + bias. The relaxed-SIMD build multiplies with the
 * relaxed i8 dot product; integer sums, so both builds give the same bits.
 */
export function fullyConnectedW8A8(
  out: usize, quantized: usize, steps: usize, weights: usize, scales: usize, bias: usize,
  N: i32, I: i32, O: i32, stride: i32, relu: bool, first: i32, end: i32,
): void {
  multiplyQuantizedRows(out, quantized, steps, weights, scales, bias, N, I, O, stride, relu, first, end, true);
}

/** fullyConnectedW8A8 with the i8 values widened to i16 (i32x4.dot_i16x8_s), where the relaxed dot product computes wrong. */
export function fullyConnectedW8A8Widened(
  out: usize, quantized: usize, steps: usize, weights: usize, scales: usize, bias: usize,
  N: i32, I: i32, O: i32, stride: i32, relu: bool, first: i32, end: i32,
): void {
  multiplyQuantizedRows(out, quantized, steps, weights, scales, bias, N, I, O, stride, relu, first, end, false);
}
