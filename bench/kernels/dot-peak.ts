// The multiply-add instructions' limit on this machine and engine, for the bench's GMAC/s per layer:
// the kernels' own 4 x 8 register tile (four splatted weights against two panel vectors a step, eight
// accumulators) over operands that stay in L1, with nothing else to do: what a GEMM of that instruction
// can reach here. `steps` steps over a 64-step slice at `data`, again and again; each returns a lane of
// the accumulators so that nothing is optimized away. Compiled by bench/dot-peak.ts into a baseline
// SIMD build and a relaxed SIMD one.

const SLICE: i32 = 64;

@inline function reduce(a0: v128, a1: v128, a2: v128, a3: v128, a4: v128, a5: v128, a6: v128, a7: v128): i32 {
  return i32x4.extract_lane(i32x4.add(i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)), i32x4.add(i32x4.add(a4, a5), i32x4.add(a6, a7))), 0);
}

@inline function i16Dot(acc: v128, w: v128, x: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(w, x));
}

@inline function i8Dot(acc: v128, w: v128, x: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x, acc);
  return acc;
}

@inline function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/** i32x4.dot_i16x8_s + add: 64 multiply-adds a step. */
export function i16DotSteps(data: usize, steps: i32): i32 {
  return tileSteps(data, steps, 0);
}

/** The relaxed i8 dot product: 128 multiply-adds a step; -1 in the baseline build. */
export function i8DotSteps(data: usize, steps: i32): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? tileSteps(data, steps, 1) : -1;
}

/** f32 multiply-add (fused in the relaxed build): 32 multiply-adds a step. */
export function f32MaddSteps(data: usize, steps: i32): i32 {
  return tileSteps(data, steps, 2);
}

// One loop per kind: `kind` is a constant where it is inlined.
@inline function tileSteps(data: usize, steps: i32, kind: i32): i32 {
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const weights = data;
  const panel = data + (<usize>SLICE << 4);
  for (let done = 0; done < steps; done += SLICE) {
    let a = weights;
    let b = panel;
    for (let k = 0; k < SLICE; k++) {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      const w0 = v128.load32_splat(a), w1 = v128.load32_splat(a, 4), w2 = v128.load32_splat(a, 8), w3 = v128.load32_splat(a, 12);
      if (kind == 0) {
        a0 = i16Dot(a0, w0, b0); a1 = i16Dot(a1, w0, b1); a2 = i16Dot(a2, w1, b0); a3 = i16Dot(a3, w1, b1);
        a4 = i16Dot(a4, w2, b0); a5 = i16Dot(a5, w2, b1); a6 = i16Dot(a6, w3, b0); a7 = i16Dot(a7, w3, b1);
      } else if (kind == 1) {
        a0 = i8Dot(a0, w0, b0); a1 = i8Dot(a1, w0, b1); a2 = i8Dot(a2, w1, b0); a3 = i8Dot(a3, w1, b1);
        a4 = i8Dot(a4, w2, b0); a5 = i8Dot(a5, w2, b1); a6 = i8Dot(a6, w3, b0); a7 = i8Dot(a7, w3, b1);
      } else {
        a0 = madd(a0, w0, b0); a1 = madd(a1, w0, b1); a2 = madd(a2, w1, b0); a3 = madd(a3, w1, b1);
        a4 = madd(a4, w2, b0); a5 = madd(a5, w2, b1); a6 = madd(a6, w3, b0); a7 = madd(a7, w3, b1);
      }
      a += 16;
      b += 32;
    }
  }
  return reduce(a0, a1, a2, a3, a4, a5, a6, a7);
}
