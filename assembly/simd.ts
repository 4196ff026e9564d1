// Small v128 helpers shared by the kernels. Layout of every tensor is NCHW, f32 unless stated.

/**
 * acc + a * b, four lanes. The relaxed-SIMD build (alexnet-web-relaxed.wasm) fuses it into one FMA,
 * which doubles the arithmetic peak; the baseline build, for engines without relaxed SIMD, multiplies then adds.
 */
@inline export function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/**
 * ReLU of four lanes: f32x4.pmax (v < 0 ? 0 : v) is one instruction where f32x4.max's NaN rules take
 * several in V8, and with v first it keeps a NaN in v for the output check (-0 stays -0, equal to 0).
 */
@inline export function relu4(v: v128): v128 {
  return f32x4.pmax(v, f32x4.splat(0));
}

/** Sum of the four lanes. */
@inline export function sumLanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Lanes a0 b0 a1 b1 (i32 or f32 lanes). */
@inline function interleaveLow(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
}

/** Lanes a2 b2 a3 b3. */
@inline function interleaveHigh(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
}

/** Lanes a0 a1 b0 b1. */
@inline function lowHalves(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
}

/** Lanes a2 a3 b2 b3. */
@inline function highHalves(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
}

/** The four lanes' totals of a, b, c and d, as lanes 0-3 (T: i32 or f32 lanes): ((a0 + a2) + (a1 + a3)), and so on. */
@inline export function laneTotals<T>(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = v128.add<T>(interleaveLow(a, b), interleaveHigh(a, b));
  const cd = v128.add<T>(interleaveLow(c, d), interleaveHigh(c, d));
  return v128.add<T>(lowHalves(ab, cd), highHalves(ab, cd));
}

/** Traps when [ptr, ptr + bytes) is not inside linear memory: one check per kernel call, none in hot loops. */
@inline export function checkRange(ptr: usize, bytes: usize): void {
  if (ptr + bytes > (<usize>memory.size() << 16) || ptr + bytes < ptr) unreachable();
}
