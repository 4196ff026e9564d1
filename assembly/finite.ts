// firstNonFinite: the engine's check that an input holds no NaN or infinity, before it runs. v * 0 is
// 0 for a finite v and NaN otherwise, so two sums of v * 0 scan eight values a step; only an input
// that fails is read again, value by value, for the index.
import { checkRange, sumLanes } from './simd';

/** Index of the first of values [count] that is NaN or infinite; -1 when every one is finite. */
export function firstNonFinite(values: usize, count: i32): i32 {
  checkRange(values, <usize>count << 2);
  const zero = f32x4.splat(0);
  let s0 = zero, s1 = zero;
  const whole = count & ~7;
  for (let i = 0; i < whole; i += 8) {
    const at = values + (<usize>i << 2);
    s0 = f32x4.add(s0, f32x4.mul(v128.load(at), zero));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(at, 16), zero));
  }
  // Value by value: the values past the last whole step, or all of them once the steps found one.
  for (let j = sumLanes(f32x4.add(s0, s1)) == 0 ? whole : 0; j < count; j++) {
    const v = load<f32>(values + (<usize>j << 2));
    if (v - v != 0) return j;
  }
  return -1;
}
