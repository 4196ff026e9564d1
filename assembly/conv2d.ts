// conv2d: out[N, K, OH, OW] = relu?(bias[K] + sum over C/G, R, S of weights * input[N, C, H, W]).
//
// Algorithm, per image, in two passes that threads share out item by item:
//   1. conv2dPack: the receptive fields are packed into NR-wide column panels (im2col), one item per
//      group and panel: panels[G][P / NR][CRS][NR].
//   2. conv2dMultiply: a blocked GEMM multiplies the packed weights (conv2dPackWeights in
//      pack-weights.ts: [G][K/G / MR][CRS][MR], zero rows past K/G) by the panels with an MR x NR
//      register tile of accumulators; one item is a group, a block of weight tiles and one panel.
//      CRS is cut into KC-deep slices so the panel slice (KC * NR floats) stays in L1 while the weight
//      slice streams from L2. The item's product lands in its own part of a scratch matrix
//      [G][K/G rounded up to MR][P rounded up to NR]; its epilogue adds the bias, applies ReLU and
//      writes the valid columns to the NCHW output.
// Every output element is summed in the same order whichever item, thread or block size computes it,
// so any split of the items gives bit-identical results.
import { checkRange, madd, relu4 } from './simd';

// 4 x 8: eight accumulators, two panel vectors and a splat fit x86's 16 vector registers; 6 x 8
// (twelve accumulators) measured 30% slower in V8, which then spills.
export const MR: i32 = 4; // output channels per register tile
export const NR: i32 = 8; // output pixels per register tile (two v128)
const KC: i32 = 256; // steps of one slice of the reduction (depth indices, or i16 pairs)

@inline export function roundUp(value: i32, multiple: i32): i32 {
  return (value + multiple - 1) / multiple * multiple;
}

/** Bytes of the panels conv2dPack writes for one image: [G][P / NR][CRS][NR]. */
export function conv2dPanelBytes(C: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  return <usize>G * <usize>((C / G) * R * S) * <usize>roundUp(OH * OW, NR) << 2;
}

/** Bytes of conv2d's scratch for one image: the panels, then the product matrices [G][K/G rounded up to MR][P rounded up to NR]. */
export function conv2dScratchBytes(C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  const products = <usize>G * <usize>roundUp(K / G, MR) * <usize>roundUp(OH * OW, NR) << 2;
  return conv2dPanelBytes(C, R, S, G, OH, OW) + products;
}

/** Floats of packed weights for these sizes: [G][ceil(K/G / MR)][CRS][MR]. */
export function conv2dPackedWeightFloats(C: i32, K: i32, R: i32, S: i32, G: i32): i32 {
  return G * roundUp(K / G, MR) * (C / G) * R * S;
}

/** Input at (ih, iw) of a plane, 0 in the padding. */
@inline function pixelAt(plane: usize, H: i32, W: i32, ih: i32, iw: i32): f32 {
  return ih >= 0 && ih < H && iw >= 0 && iw < W ? load<f32>(plane + (<usize>(ih * W + iw) << 2)) : 0;
}

/** Four i32 lanes. */
@inline function lanes(a: i32, b: i32, c: i32, d: i32): v128 {
  return i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(a), 1, b), 2, c), 3, d);
}

// Input row (`rows`) or column of output pixel p's window; rows far outside for pixels past P, so every read becomes a zero.
@inline function origin(p: i32, P: i32, OW: i32, stride: i32, pad: i32, rows: bool): i32 {
  if (p >= P) return rows ? -(1 << 20) : 0;
  return (rows ? p / OW : p % OW) * stride - pad;
}

/** Window origins of output pixels p0 .. p0 + 3, one per lane. */
@inline function origins(p0: i32, P: i32, OW: i32, stride: i32, pad: i32, rows: bool): v128 {
  return lanes(origin(p0, P, OW, stride, pad, rows), origin(p0 + 1, P, OW, stride, pad, rows), origin(p0 + 2, P, OW, stride, pad, rows), origin(p0 + 3, P, OW, stride, pad, rows));
}

// panel[CRS][NR] <- receptive fields of the NR output pixels from p0 of one image and group; zero where
// padding or past P. Stores stay sequential; when the NR pixels share one output row, the stride is 1 and
// the row segment is inside the image, the NR inputs are two vector loads. The pixels' window origins
// travel in v128 lanes (no memory: every thread packs at once): pixels 0-3 in *Low, 4-7 in *High.
function packPanel(
  panel: usize, input: usize, Cg: i32, H: i32, W: i32, R: i32, S: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32, p0: i32,
): void {
  const P = OH * OW;
  const ihLow = origins(p0, P, OW, strideH, padTop, true);
  const ihHigh = origins(p0 + 4, P, OW, strideH, padTop, true);
  const iwLow = origins(p0, P, OW, strideW, padLeft, false);
  const iwHigh = origins(p0 + 4, P, OW, strideW, padLeft, false);
  const oneRow = strideW == 1 && p0 + NR <= P && (p0 % OW) + NR <= OW;
  const ih0 = i32x4.extract_lane(ihLow, 0);
  const iw0 = i32x4.extract_lane(iwLow, 0);
  let dst = panel;
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
        store<f32>(dst, pixelAt(plane, H, W, i32x4.extract_lane(ihLow, 0) + r, i32x4.extract_lane(iwLow, 0) + s));
        store<f32>(dst, pixelAt(plane, H, W, i32x4.extract_lane(ihLow, 1) + r, i32x4.extract_lane(iwLow, 1) + s), 4);
        store<f32>(dst, pixelAt(plane, H, W, i32x4.extract_lane(ihLow, 2) + r, i32x4.extract_lane(iwLow, 2) + s), 8);
        store<f32>(dst, pixelAt(plane, H, W, i32x4.extract_lane(ihLow, 3) + r, i32x4.extract_lane(iwLow, 3) + s), 12);
        store<f32>(dst, pixelAt(plane, H, W, i32x4.extract_lane(ihHigh, 0) + r, i32x4.extract_lane(iwHigh, 0) + s), 16);
        store<f32>(dst, pixelAt(plane, H, W, i32x4.extract_lane(ihHigh, 1) + r, i32x4.extract_lane(iwHigh, 1) + s), 20);
        store<f32>(dst, pixelAt(plane, H, W, i32x4.extract_lane(ihHigh, 2) + r, i32x4.extract_lane(iwHigh, 2) + s), 24);
        store<f32>(dst, pixelAt(plane, H, W, i32x4.extract_lane(ihHigh, 3) + r, i32x4.extract_lane(iwHigh, 3) + s), 28);
        dst += NR << 2;
      }
    }
  }
}

/**
 * Items [first, end) of conv2d's packing pass for one image: item = g * (P / NR panels) + panel.
 * panels (conv2dPanelBytes) <- input [C, H, W].
 */
export function conv2dPack(
  panels: usize, input: usize, C: i32, H: i32, W: i32, R: i32, S: i32, G: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32, first: i32, end: i32,
): void {
  const Cg = C / G;
  const crs = Cg * R * S;
  const nTiles = (OH * OW + NR - 1) / NR;
  checkRange(panels, conv2dPanelBytes(C, R, S, G, OH, OW));
  checkRange(input, <usize>C * H * W << 2);
  if (first < 0 || end > G * nTiles) unreachable();
  for (let item = first; item < end; item++) {
    const g = item / nTiles;
    const nt = item % nTiles;
    const panel = panels + ((<usize>(g * nTiles + nt) * crs * NR) << 2);
    const groupInput = input + (<usize>(g * Cg) * H * W << 2);
    packPanel(panel, groupInput, Cg, H, W, R, S, strideH, strideW, padTop, padLeft, OH, OW, nt * NR);
  }
}

// One step of a tile's sum: f32 multiply-add of one depth index, or (integer) i32x4.dot_i16x8_s of a pair of i16 depth indices.
@inline function step(acc: v128, w: v128, x: v128, integer: bool): v128 {
  return integer ? i32x4.add(acc, i32x4.dot_i16x8_s(w, x)) : madd(acc, w, x);
}

// c[MR][NR] (row stride ldc elements) (+)= a[steps][MR] x b[steps][NR]: f32, or (integer) i32 sums of
// i16 pairs (a step is then two depth indices, still 16 bytes of a and 32 of b). Zero lanes are zero in both.
@inline function multiplyTile(c: usize, ldc: i32, aPtr: usize, bPtr: usize, steps: i32, accumulate: bool, integer: bool): void {
  const rowBytes = <usize>ldc << 2;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  if (accumulate) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + rowBytes); c11 = v128.load(c + rowBytes, 16);
    c20 = v128.load(c + 2 * rowBytes); c21 = v128.load(c + 2 * rowBytes, 16);
    c30 = v128.load(c + 3 * rowBytes); c31 = v128.load(c + 3 * rowBytes, 16);
  }
  let a = aPtr;
  let b = bPtr;
  for (let k = 0; k < steps; k++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let w = v128.load32_splat(a, 0);
    c00 = step(c00, w, b0, integer); c01 = step(c01, w, b1, integer);
    w = v128.load32_splat(a, 4);
    c10 = step(c10, w, b0, integer); c11 = step(c11, w, b1, integer);
    w = v128.load32_splat(a, 8);
    c20 = step(c20, w, b0, integer); c21 = step(c21, w, b1, integer);
    w = v128.load32_splat(a, 12);
    c30 = step(c30, w, b0, integer); c31 = step(c31, w, b1, integer);
    a += 16;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + rowBytes, c10); v128.store(c + rowBytes, c11, 16);
  v128.store(c + 2 * rowBytes, c20); v128.store(c + 2 * rowBytes, c21, 16);
  v128.store(c + 3 * rowBytes, c30); v128.store(c + 3 * rowBytes, c31, 16);
}

// Tiles [mt0, mt1) x [nt0, nt1) of a blocked GEMM, `steps` deep in KC-step slices (see multiplyBlock).
@inline function multiplyTiles(product: usize, ldc: i32, weights: usize, panels: usize, mt0: i32, mt1: i32, nt0: i32, nt1: i32, steps: i32, integer: bool): void {
  for (let k0 = 0; k0 < steps; k0 += KC) {
    const slice = min(KC, steps - k0);
    for (let nt = nt0; nt < nt1; nt++) {
      const b = panels + (<usize>(nt * steps + k0) * NR << 2);
      for (let mt = mt0; mt < mt1; mt++) {
        const a = weights + (<usize>(mt * steps + k0) * MR << 2);
        multiplyTile(product + (<usize>(mt * MR * ldc + nt * NR) << 2), ldc, a, b, slice, k0 > 0, integer);
      }
    }
  }
}

/**
 * product tiles [mt0, mt1) x [nt0, nt1) = weights x panels: MR rows and NR columns a tile, rows ldc floats
 * apart; weights [mTiles][depth][MR], panels [nTiles][depth][NR]. Depth in KC slices, each summed onto
 * the last, so an element's sum runs in the same order whatever tiles an item spans.
 */
export function multiplyBlock(product: usize, ldc: i32, weights: usize, panels: usize, mt0: i32, mt1: i32, nt0: i32, nt1: i32, depth: i32): void {
  multiplyTiles(product, ldc, weights, panels, mt0, mt1, nt0, nt1, depth, false);
}

/**
 * multiplyBlock in integers: i32 products of weights [mTiles][pairs][MR][2] and panels [nTiles][pairs][NR][2]
 * of i16 pairs (i32x4.dot_i16x8_s); integer sums, so any order gives the same result.
 */
export function multiplyBlockInt16(product: usize, ldc: i32, weights: usize, panels: usize, mt0: i32, mt1: i32, nt0: i32, nt1: i32, pairs: i32): void {
  multiplyTiles(product, ldc, weights, panels, mt0, mt1, nt0, nt1, pairs, true);
}

/**
 * Multiply passes number their items (g * mBlocks + mb) * nBlocks + nb: item (g, mb, nb) computes weight
 * tiles [mb * mBlock, +mBlock) of group g against panels [nb * nBlock, +nBlock) (the last blocks may be
 * shorter); consecutive items share their weights. There are G * mBlocks * nBlocks of them.
 */
export function multiplyItems(mTiles: i32, nTiles: i32, G: i32, mBlock: i32, nBlock: i32): i32 {
  return G * ((mTiles + mBlock - 1) / mBlock) * ((nTiles + nBlock - 1) / nBlock);
}

// What locateItem found: wasm globals, so each thread's instance has its own.
export let itemGroup: i32 = 0;
export let itemM0: i32 = 0;
export let itemM1: i32 = 0;
export let itemN0: i32 = 0;
export let itemN1: i32 = 0;

/** Sets itemGroup and the weight tiles [itemM0, itemM1) and panels [itemN0, itemN1) of multiply item `item`. */
@inline function locateItem(item: i32, mTiles: i32, nTiles: i32, mBlock: i32, nBlock: i32): void {
  const mBlocks = (mTiles + mBlock - 1) / mBlock;
  const nBlocks = (nTiles + nBlock - 1) / nBlock;
  itemN0 = (item % nBlocks) * nBlock;
  itemM0 = ((item / nBlocks) % mBlocks) * mBlock;
  itemGroup = item / nBlocks / mBlocks;
  itemN1 = min(nTiles, itemN0 + nBlock);
  itemM1 = min(mTiles, itemM0 + mBlock);
}

/**
 * locateItem for the run of items from `item` (before `end`) that make one block: where the panels are
 * not cut, the next items of its group extend its weight tiles; else those of its weight block extend
 * its panels. A thread that claims several items multiplies them as one, reading what they share
 * once. Returns the item after the run.
 */
export function locateRun(item: i32, end: i32, mTiles: i32, nTiles: i32, mBlock: i32, nBlock: i32): i32 {
  locateItem(item, mTiles, nTiles, mBlock, nBlock);
  const mBlocks = (mTiles + mBlock - 1) / mBlock;
  const nBlocks = (nTiles + nBlock - 1) / nBlock;
  const last = min(end, nBlocks == 1 ? (itemGroup + 1) * mBlocks : item - item % nBlocks + nBlocks) - 1;
  if (nBlocks == 1) itemM1 = min(mTiles, (last % mBlocks + 1) * mBlock);
  else itemN1 = min(nTiles, (last % nBlocks + 1) * nBlock);
  return last + 1;
}

// out[m][p] = relu?(product[m][p] + bias[m]) for rows [m0, m1) and columns [p0, p1); product rows are ldc floats apart.
function writeOutput(out: usize, product: usize, ldc: i32, bias: usize, m0: i32, m1: i32, p0: i32, p1: i32, P: i32, relu: bool): void {
  for (let m = m0; m < m1; m++) {
    const src = product + (<usize>(m * ldc) << 2);
    const dst = out + (<usize>(m * P) << 2);
    const b = load<f32>(bias + (<usize>m << 2));
    const bv = f32x4.splat(b);
    let p = p0;
    for (; p + 4 <= p1; p += 4) {
      let v = f32x4.add(v128.load(src + (<usize>p << 2)), bv);
      if (relu) v = relu4(v);
      v128.store(dst + (<usize>p << 2), v);
    }
    for (; p < p1; p++) {
      let v = load<f32>(src + (<usize>p << 2)) + b;
      if (relu) v = max<f32>(v, 0);
      store<f32>(dst + (<usize>p << 2), v);
    }
  }
}

/**
 * Items [first, end) of conv2d's multiply pass for one image (numbered as multiplyItems says):
 * out [K, OH, OW] <- packed weights (conv2dPackedWeightFloats) x the panels conv2dPack wrote to
 * `scratch` (conv2dScratchBytes), bias [K].
 */
export function conv2dMultiply(
  out: usize, scratch: usize, packedWeights: usize, bias: usize,
  C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32, relu: bool, mBlock: i32, nBlock: i32, first: i32, end: i32,
): void {
  const Kg = K / G;
  const crs = (C / G) * R * S;
  const P = OH * OW;
  const nTiles = (P + NR - 1) / NR;
  const mTiles = (Kg + MR - 1) / MR;
  const ldc = nTiles * NR;
  checkRange(out, <usize>K * P << 2);
  checkRange(packedWeights, <usize>conv2dPackedWeightFloats(C, K, R, S, G) << 2);
  checkRange(bias, <usize>K << 2);
  checkRange(scratch, conv2dScratchBytes(C, K, R, S, G, OH, OW));
  if (mBlock < 1 || nBlock < 1 || first < 0 || end > multiplyItems(mTiles, nTiles, G, mBlock, nBlock)) unreachable();
  const products = scratch + conv2dPanelBytes(C, R, S, G, OH, OW);
  for (let item = first; item < end; ) {
    item = locateRun(item, end, mTiles, nTiles, mBlock, nBlock);
    const g = itemGroup;
    const product = products + (<usize>g * mTiles * MR * ldc << 2);
    const panels = scratch + (<usize>g * nTiles * crs * NR << 2);
    multiplyBlock(product, ldc, packedWeights + (<usize>g * mTiles * MR * crs << 2), panels, itemM0, itemM1, itemN0, itemN1, crs);
    const groupOut = out + (<usize>(g * Kg) * P << 2);
    writeOutput(groupOut, product, ldc, bias + (<usize>(g * Kg) << 2), itemM0 * MR, min(Kg, itemM1 * MR), itemN0 * NR, min(P, itemN1 * NR), P, relu);
  }
}
