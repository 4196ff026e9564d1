// Small v128 helpers shared by the kernels. Layout of every tensor is NCHW, f32 unless stated.

/**
 * acc + a * b, four lanes. The relaxed-SIMD build (alexnet-web-relaxed.wasm) fuses it into one FMA,
 * which doubles the arithmetic peak; the baseline build, for engines without relaxed SIMD, multiplies then adds.
 */
@inline export function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/** Sum of the four lanes. */
@inline export function sumLanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Traps when [ptr, ptr + bytes) is not inside linear memory: one check per kernel call, none in hot loops. */
@inline export function checkRange(ptr: usize, bytes: usize): void {
  if (ptr + bytes > (<usize>memory.size() << 16) || ptr + bytes < ptr) unreachable();
}
