// conv2d: out[N, K, OH, OW] = relu?(bias[K] + sum over C/G, R, S of weights * input[N, C, H, W]).
//
// Algorithm: per image and group, the receptive fields are packed into NR-wide column panels
// (im2col, panels[P / NR][CRS][NR]), then a blocked GEMM multiplies the packed weights
// (packConv2dWeights in src/backends/wasm/pack.ts: [G][K/G / MR][CRS][MR], zero rows past K/G)
// by the panels with an MR x NR register tile of accumulators. CRS is cut into KC-deep slices
// so one panel slice (KC * NR floats) stays in L1 while the weight slice streams from L2.
// The product lands in a scratch matrix [K/G rounded up to MR][P rounded up to NR]; the
// epilogue adds the bias, applies ReLU and writes the valid columns to the NCHW output.
import { checkRange, madd } from './simd';

// 4 x 8: eight accumulators, two panel vectors and a splat fit x86's 16 vector registers; 6 x 8
// (twelve accumulators) measured 30% slower in V8, which then spills.
export const MR: i32 = 4; // output channels per register tile
export const NR: i32 = 8; // output pixels per register tile (two v128)
const KC: i32 = 256; // depth of one slice of the reduction

@inline export function roundUp(value: i32, multiple: i32): i32 {
  return (value + multiple - 1) / multiple * multiple;
}

/** Bytes of scratch conv2d needs for these sizes (panels, then the product matrix). */
export function conv2dScratchBytes(C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  const crs = (C / G) * R * S;
  const columns = roundUp(OH * OW, NR);
  return <usize>(crs * columns + roundUp(K / G, MR) * columns) << 2;
}

/** Floats of packed weights for these sizes: [G][ceil(K/G / MR)][CRS][MR]. */
export function conv2dPackedWeightFloats(C: i32, K: i32, R: i32, S: i32, G: i32): i32 {
  return G * roundUp(K / G, MR) * (C / G) * R * S;
}

// Top-left input coordinates of the NR output pixels of the panel being packed: ih0[NR], iw0[NR].
const panelOrigins = memory.data(NR * 8);

// panels[P / NR][CRS][NR] <- receptive fields of one image and group; zero where padding or past P.
// Written panel by panel so stores stay sequential; a panel whose pixels share one output row reads
// its NR inputs with two vector loads whenever the stride is 1 and the row segment is inside the image.
function packPatches(
  panels: usize, input: usize, Cg: i32, H: i32, W: i32, R: i32, S: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32,
): void {
  const P = OH * OW;
  const nTiles = (P + NR - 1) / NR;
  let dst = panels;
  for (let nt = 0; nt < nTiles; nt++) {
    const p0 = nt * NR;
    for (let j = 0; j < NR; j++) {
      const p = p0 + j;
      const inside = p < P;
      // Pixels past P get an origin far outside, so every read below becomes a zero.
      store<i32>(panelOrigins + (<usize>j << 2), inside ? (p / OW) * strideH - padTop : -(1 << 20));
      store<i32>(panelOrigins + (<usize>(NR + j) << 2), inside ? (p % OW) * strideW - padLeft : 0);
    }
    const oneRow = strideW == 1 && p0 + NR <= P && (p0 % OW) + NR <= OW;
    const ih0 = load<i32>(panelOrigins);
    const iw0 = load<i32>(panelOrigins, NR << 2);
    for (let c = 0; c < Cg; c++) {
      const plane = input + (<usize>c * H * W << 2);
      for (let r = 0; r < R; r++) {
        for (let s = 0; s < S; s++) {
          if (oneRow) {
            const ih = ih0 + r;
            const iw = iw0 + s;
            if (ih >= 0 && ih < H && iw >= 0 && iw + NR <= W) {
              const src = plane + (<usize>(ih * W + iw) << 2);
              v128.store(dst, v128.load(src));
              v128.store(dst, v128.load(src, 16), 16);
              dst += NR << 2;
              continue;
            }
          }
          for (let j = 0; j < NR; j++) {
            const ih = load<i32>(panelOrigins + (<usize>j << 2)) + r;
            const iw = load<i32>(panelOrigins + (<usize>(NR + j) << 2)) + s;
            const value: f32 = ih >= 0 && ih < H && iw >= 0 && iw < W ? load<f32>(plane + (<usize>(ih * W + iw) << 2)) : 0;
            store<f32>(dst, value);
            dst += 4;
          }
        }
      }
    }
  }
}

// c[MR][NR] (row stride ldc floats) (+)= a[depth][MR] x b[depth][NR].
@inline function multiplyTile(c: usize, ldc: i32, aPtr: usize, bPtr: usize, depth: i32, accumulate: bool): void {
  const rowBytes = <usize>ldc << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (accumulate) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + rowBytes); c11 = v128.load(c + rowBytes, 16);
    c20 = v128.load(c + 2 * rowBytes); c21 = v128.load(c + 2 * rowBytes, 16);
    c30 = v128.load(c + 3 * rowBytes); c31 = v128.load(c + 3 * rowBytes, 16);
  }
  let a = aPtr;
  let b = bPtr;
  for (let k = 0; k < depth; k++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let w = v128.load32_splat(a, 0);
    c00 = madd(c00, w, b0); c01 = madd(c01, w, b1);
    w = v128.load32_splat(a, 4);
    c10 = madd(c10, w, b0); c11 = madd(c11, w, b1);
    w = v128.load32_splat(a, 8);
    c20 = madd(c20, w, b0); c21 = madd(c21, w, b1);
    w = v128.load32_splat(a, 12);
    c30 = madd(c30, w, b0); c31 = madd(c31, w, b1);
    a += 16;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + rowBytes, c10); v128.store(c + rowBytes, c11, 16);
  v128.store(c + 2 * rowBytes, c20); v128.store(c + 2 * rowBytes, c21, 16);
  v128.store(c + 3 * rowBytes, c30); v128.store(c + 3 * rowBytes, c31, 16);
}

// product[Kg_pad][columns] = weights[Kg_pad][crs] x panels (see header).
export function multiplyPacked(product: usize, weights: usize, panels: usize, mTiles: i32, nTiles: i32, crs: i32): void {
  const ldc = nTiles * NR;
  for (let k0 = 0; k0 < crs; k0 += KC) {
    const depth = min(KC, crs - k0);
    for (let nt = 0; nt < nTiles; nt++) {
      const b = panels + (<usize>(nt * crs + k0) * NR << 2);
      for (let mt = 0; mt < mTiles; mt++) {
        const a = weights + (<usize>(mt * crs + k0) * MR << 2);
        const c = product + (<usize>(mt * MR * ldc + nt * NR) << 2);
        multiplyTile(c, ldc, a, b, depth, k0 > 0);
      }
    }
  }
}

// out[Kg][P] = relu?(product[Kg][P] + bias[Kg]); product rows are ldc floats apart.
function writeOutput(out: usize, product: usize, bias: usize, Kg: i32, P: i32, ldc: i32, relu: bool): void {
  const zero = f32x4.splat(0);
  const vectorEnd = P & ~3;
  for (let m = 0; m < Kg; m++) {
    const src = product + (<usize>(m * ldc) << 2);
    const dst = out + (<usize>(m * P) << 2);
    const b = load<f32>(bias + (<usize>m << 2));
    const bv = f32x4.splat(b);
    let p = 0;
    for (; p < vectorEnd; p += 4) {
      let v = f32x4.add(v128.load(src + (<usize>p << 2)), bv);
      if (relu) v = f32x4.max(v, zero);
      v128.store(dst + (<usize>p << 2), v);
    }
    for (; p < P; p++) {
      let v = load<f32>(src + (<usize>p << 2)) + b;
      if (relu) v = max<f32>(v, 0);
      store<f32>(dst + (<usize>p << 2), v);
    }
  }
}

/**
 * out [N, K, OH, OW] <- input [N, C, H, W], packedWeights (see conv2dPackedWeightFloats), bias [K].
 * scratch holds conv2dScratchBytes(...) bytes. Pads bottom/right are implied by OH and OW.
 */
export function conv2d(
  out: usize, input: usize, packedWeights: usize, bias: usize, scratch: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, R: i32, S: i32, G: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32, relu: bool,
): void {
  const Cg = C / G;
  const Kg = K / G;
  const crs = Cg * R * S;
  const P = OH * OW;
  const nTiles = (P + NR - 1) / NR;
  const mTiles = (Kg + MR - 1) / MR;
  checkRange(out, <usize>N * K * P << 2);
  checkRange(input, <usize>N * C * H * W << 2);
  checkRange(packedWeights, <usize>conv2dPackedWeightFloats(C, K, R, S, G) << 2);
  checkRange(bias, <usize>K << 2);
  checkRange(scratch, conv2dScratchBytes(C, K, R, S, G, OH, OW));
  const panels = scratch;
  const product = scratch + (<usize>crs * nTiles * NR << 2);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const groupInput = input + (<usize>(n * C + g * Cg) * H * W << 2);
      const groupWeights = packedWeights + (<usize>g * mTiles * MR * crs << 2);
      packPatches(panels, groupInput, Cg, H, W, R, S, strideH, strideW, padTop, padLeft, OH, OW);
      multiplyPacked(product, groupWeights, panels, mTiles, nTiles, crs);
      const groupOut = out + (<usize>(n * K + g * Kg) * P << 2);
      writeOutput(groupOut, product, bias + (<usize>(g * Kg) << 2), Kg, P, nTiles * NR, relu);
    }
  }
}
