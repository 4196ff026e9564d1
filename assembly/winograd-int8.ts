// winogradInt8: int8 arithmetic (W8A8) for the convolutions Winograd runs (stride 1, kernels up to 6x6,
// and strided ones after space-to-depth), with integers end to end.
//
// The input is quantized per image to [-127, 127] (quantize.ts) and the weights are the file's int8
// values, so the exact answer is the integer convolution sum(q_w * q_x), scaled by scale_w[k] * step_x.
// Winograd's F(2x2, 3x3) computes that integer exactly when its transforms are done in integers:
// with G' = 2G = [[2,0,0],[1,1,1],[1,-1,1],[0,0,2]] the weights' transform U' = G' g G'^T = 4 G g G^T
// has integer entries (|U'| <= 9 * 128), the input's V = B^T d B too (|V| <= 4 * 127), both fit i16, and
// A^T (U' . V) A = 4 x the integer convolution. The 16 GEMMs multiply i16 pairs with
// i32x4.dot_i16x8_s (eight multiply-adds an instruction) into i32; the output transform stays in i32,
// drops the factor 4 and converts once: y = f32(sum) * scale_w[k] * step_x + bias. Integer sums do not
// depend on their order, so every split of the items gives the same bits.
//
// Why not the relaxed 8-bit dot product here: V is signed and needs 10 bits, and a direct (im2col)
// int8 GEMM does 2.25x (3x3) to 1.56x (5x5) the multiplies of F(2x2, 3x3) (3x and 2.1x those of the
// 6x4 windows of winograd-int8-tiles.ts); measured in Chromium on this project's AVX2 machines (no
// VNNI), the i8 and i16 dot products both run about 37 GMAC/s a core, f32 FMA 23, so integer Winograd
// is the fastest of the three. The fully connected layers use the i8 dot product.
//
// Per image, in two passes that threads share out item by item: quantize the input into zero-bordered
// i16 planes and transform them into panels (one item two channels, or a group), then the GEMMs and
// the output transform (multiplyItems). Scratch: the quantized input [C][rows][columns]
// i16; the panels [G][P][T / NR][pairs][NR][2] i16 (P positions: 16, or 24 for the 6x4 windows of
// winograd-int8-tiles.ts; pairs = ceil(depth / 2), depth index q as in winograd.ts); the products
// [G][P][K/G rounded up to MR][T rounded up to NR] i32. Weights: [G][P][ceil(K/G / MR)][pairs][MR][2] i16.
// Each position of the panels and the products starts one cache line after the last one's end (positionStride).
import { itemGroup, itemM0, itemM1, itemN0, itemN1, locateRun, MR, multiplyBlockInt16, multiplyItems, NR, roundUp } from './conv2d';
import { blocksOf, positionStride, POSITIONS } from './winograd';
import { largestOf, quantize1, quantize4, quantizeFactor, stepOf } from './quantize';
import {
  SIX_ROW_POSITIONS, SQUARE_TILES, TALL_TILES, tileRowsOf, tilesOf, transformFourTiles, transformOutput,
} from './winograd-int8-tiles';
import { checkRange } from './simd';

// Panels of NR columns that go through the 16 GEMMs before their output transform: 4 keep conv2's 16
// product blocks (16 x 128 x 32 i32 = 256 KiB) in L2; a whole group's (1.6 MiB) falls out of it.
const PANELS_PER_PASS: i32 = 4;

@inline function pairsOf(depth: i32): i32 {
  return (depth + 1) >> 1;
}

/** Depth indices: a channel and a 3x3 block of the kernel (square tiles), or a channel and a column block. */
@inline function depthOf(C: i32, R: i32, S: i32, G: i32): i32 {
  return (C / G) * (tilesOf(C, R, S, G) == SQUARE_TILES ? blocksOf(R) : 1) * blocksOf(S);
}

/** Transform positions of a tile: 16 (4x4 windows) or 24 (6x4). */
@inline function positionsOf(C: i32, R: i32, S: i32, G: i32): i32 {
  return tilesOf(C, R, S, G) == SQUARE_TILES ? POSITIONS : SIX_ROW_POSITIONS;
}

/** GEMM columns: the tiles, rounded up to NR. */
@inline function columnsOf(C: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): i32 {
  const rows = tileRowsOf(tilesOf(C, R, S, G));
  return roundUp(((OH + rows - 1) / rows) * ((OW + 1) >> 1), NR);
}

/** Rows (or columns) of a quantized, zero-padded plane: every tile's 4x4 window of every kernel block lies inside. */
@inline function paddedSize(outputs: i32, kernel: i32): i32 {
  return 2 * ((outputs + 1) >> 1) + 3 * blocksOf(kernel) - 1;
}

/** Rows of a quantized plane: with up to 3 kernel rows, a four-row tile's 6-row window (or a square one's) lies inside. */
@inline function planeRows(OH: i32, R: i32): i32 {
  return R <= 3 ? 4 * ((OH + 3) >> 2) + 2 : paddedSize(OH, R);
}

/** Bytes of the quantized input [C][plane rows][padded columns] i16, rounded up to 16. */
@inline function quantizedBytes(C: i32, R: i32, S: i32, OH: i32, OW: i32): usize {
  return <usize>roundUp(C * planeRows(OH, R) * paddedSize(OW, S) * 2, 16);
}

/** Bytes from one position's i16 panels to the next's (positionStride). */
@inline function positionPanelBytes(C: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  return positionStride(<usize>pairsOf(depthOf(C, R, S, G)) * <usize>columnsOf(C, R, S, G, OH, OW) << 2);
}

/** Bytes from one position's i32 products to the next's (positionStride). */
@inline function positionProductBytes(C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  return positionStride(<usize>roundUp(K / G, MR) * <usize>columnsOf(C, R, S, G, OH, OW) << 2);
}

/** Bytes of the i16 panels winogradInt8QuantizeTransform writes for one image. */
function panelBytes(C: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  return <usize>(G * positionsOf(C, R, S, G)) * positionPanelBytes(C, R, S, G, OH, OW);
}

/** Bytes of the int8 path's scratch for one image: the quantized input, the panels, then the i32 products. */
export function winogradInt8ScratchBytes(C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  const products = <usize>(G * positionsOf(C, R, S, G)) * positionProductBytes(C, K, R, S, G, OH, OW);
  return quantizedBytes(C, R, S, OH, OW) + panelBytes(C, R, S, G, OH, OW) + products;
}

/** Bytes of the transformed, packed i16 weights. */
export function winogradInt8PackedWeightBytes(C: i32, K: i32, R: i32, S: i32, G: i32): i32 {
  return G * positionsOf(C, R, S, G) * roundUp(K / G, MR) * pairsOf(depthOf(C, R, S, G)) * 4;
}

/** int8 weight (k, c, r, s) of a [K, Cg, R, S] kernel at folded row `row` and column `column` of phase (di, dj); 0 outside. */
@inline function foldedTap(
  weights: usize, k: i32, c: i32, Cg: i32, R: i32, S: i32, foldedR: i32, foldedS: i32,
  strideH: i32, strideW: i32, di: i32, dj: i32, row: i32, column: i32,
): i32 {
  const r = row * strideH + di;
  const s = column * strideW + dj;
  if (row >= foldedR || column >= foldedS || r >= R || s >= S) return 0;
  return <i32>load<i8>(weights + <usize>(((k * Cg + c) * R + r) * S + s));
}

/**
 * The layout winogradInt8Multiply reads, from int8 weights [K, C/G, R, S] (folded by space-to-depth when
 * a stride is > 1, as winogradPackWeights does): each 3x3 block g becomes U' = G' g G'^T, exact.
 */
export function winogradInt8PackWeights(out: usize, weights: usize, K: i32, C: i32, R: i32, S: i32, G: i32, strideH: i32, strideW: i32): void {
  const Cg = C / G;
  const foldedR = (R + strideH - 1) / strideH;
  const foldedS = (S + strideW - 1) / strideW;
  const depth = depthOf(C * strideH * strideW, foldedR, foldedS, G);
  const pairs = pairsOf(depth);
  const Kg = K / G;
  const mTiles = roundUp(Kg, MR) / MR;
  const bytes = <usize>winogradInt8PackedWeightBytes(C * strideH * strideW, K, foldedR, foldedS, G);
  checkRange(out, bytes);
  checkRange(weights, <usize>K * Cg * R * S);
  // Channels past K/G and the odd depth index of the last pair stay zero.
  memory.fill(out, 0, bytes);
  const positionBytes = <usize>mTiles * pairs * MR * 4;
  const kind = tilesOf(C * strideH * strideW, foldedR, foldedS, G);
  const square = kind == SQUARE_TILES;
  const positions = square ? POSITIONS : SIX_ROW_POSITIONS;
  for (let k = 0; k < K; k++) {
    const m = k % Kg;
    const base = out + (<usize>((k / Kg) * positions * mTiles + m / MR) * pairs * MR + m % MR) * 4;
    let q = 0;
    // 6x4 windows take all the kernel's rows at once.
    for (let r0 = 0; r0 < foldedR; r0 += square ? 3 : 6) {
      for (let s0 = 0; s0 < foldedS; s0 += 3) {
        for (let c = 0; c < Cg; c++) {
          for (let di = 0; di < strideH; di++) {
            for (let dj = 0; dj < strideW; dj++, q++) {
              const at = base + (<usize>(q >> 1) * MR * 4) + (<usize>(q & 1) << 1);
              if (!square) {
                // t = G' g row by row (the kernel's rows, zeros past them), each row of t one row of U' = t G3'^T.
                const g0 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, 0, s0);
                const g1 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, 1, s0);
                const g2 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, 2, s0);
                const g3 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, 3, s0);
                const g4 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, 4, s0);
                const even = i32x4.add(i32x4.add(g0, g2), g4);
                const odd = i32x4.add(g1, g3);
                const evenTwos = i32x4.add(i32x4.add(g0, i32x4.shl(g2, 2)), i32x4.shl(g4, 4));
                const oddTwos = i32x4.add(i32x4.shl(g1, 1), i32x4.shl(g3, 3));
                storeWeightRow(at, positionBytes, g0);
                storeWeightRow(at + 4 * positionBytes, positionBytes, i32x4.add(even, odd));
                storeWeightRow(at + 8 * positionBytes, positionBytes, i32x4.sub(even, odd));
                storeWeightRow(at + 12 * positionBytes, positionBytes, i32x4.add(evenTwos, oddTwos));
                storeWeightRow(at + 16 * positionBytes, positionBytes, i32x4.sub(evenTwos, oddTwos));
                // The point at infinity takes the last tap: row 4 (F(2, 5)) or row 2 (F(4, 3)).
                storeWeightRow(at + 20 * positionBytes, positionBytes, kind == TALL_TILES ? g4 : g2);
                continue;
              }
              // The block's three kernel rows, then t = G' g row by row, each row of t one row of U' = t G'^T.
              const g0 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0, s0);
              const g1 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 1, s0);
              const g2 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 2, s0);
              storeWeightRow(at, positionBytes, i32x4.shl(g0, 1));
              storeWeightRow(at + 4 * positionBytes, positionBytes, i32x4.add(i32x4.add(g0, g1), g2));
              storeWeightRow(at + 8 * positionBytes, positionBytes, i32x4.add(i32x4.sub(g0, g1), g2));
              storeWeightRow(at + 12 * positionBytes, positionBytes, i32x4.shl(g2, 1));
            }
          }
        }
      }
    }
  }
}

/** Columns s0 .. s0 + 2 of folded kernel row `row` in i32 lanes 0-2 (lane 3 zero). */
function kernelRow(
  weights: usize, k: i32, c: i32, Cg: i32, R: i32, S: i32, foldedR: i32, foldedS: i32,
  strideH: i32, strideW: i32, di: i32, dj: i32, row: i32, s0: i32,
): v128 {
  let v = i32x4.splat(foldedTap(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, row, s0));
  v = i32x4.replace_lane(v, 1, foldedTap(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, row, s0 + 1));
  v = i32x4.replace_lane(v, 2, foldedTap(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, row, s0 + 2));
  return i32x4.replace_lane(v, 3, 0);
}

/** A row of U' = t G'^T from a row of t (lanes 0-2): four positions, `stride` bytes apart, as i16. */
function storeWeightRow(at: usize, stride: usize, t: v128): void {
  const t0 = i32x4.extract_lane(t, 0), t1 = i32x4.extract_lane(t, 1), t2 = i32x4.extract_lane(t, 2);
  store<i16>(at, <i16>(2 * t0));
  store<i16>(at + stride, <i16>(t0 + t1 + t2));
  store<i16>(at + 2 * stride, <i16>(t0 - t1 + t2));
  store<i16>(at + 3 * stride, <i16>(2 * t2));
}

// Quantizes channel c of input [C, H, W] into its zero-bordered i16 plane at `plane` (`rows` x `columns`).
function quantizePlane(
  plane: usize, input: usize, c: i32, H: i32, W: i32, padTop: i32, padLeft: i32, rows: i32, columns: i32, factor: f32,
): void {
  const factors = f32x4.splat(factor);
  // The input's columns that land inside the padded plane.
  const inside = min(W, columns - padLeft);
  memory.fill(plane, 0, <usize>rows * columns << 1);
  const source = input + (<usize>c * H * W << 2);
  for (let h = 0; h < H && h + padTop < rows; h++) {
    const src = source + (<usize>(h * W) << 2);
    const dst = plane + (<usize>((h + padTop) * columns + padLeft) << 1);
    let w = 0;
    for (; w + 8 <= inside; w += 8) {
      const low = quantize4(v128.load(src + (<usize>w << 2)), factors);
      const high = quantize4(v128.load(src + (<usize>w << 2), 16), factors);
      v128.store(dst + (<usize>w << 1), i16x8.narrow_i32x4_s(low, high));
    }
    for (; w < inside; w++) store<i16>(dst + (<usize>w << 1), <i16>quantize1(load<f32>(src + (<usize>w << 2)), factor));
  }
}

// Panels of pair `pair` of group g (depth indices 2 pair and 2 pair + 1, the second zero past the depth)
// <- B^T d B of the quantized planes at `quantized`, four tiles at a time.
function transformPair(
  panels: usize, quantized: usize, g: i32, pair: i32, C: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32,
): void {
  const Cg = C / G;
  const blocksW = blocksOf(S);
  const depth = depthOf(C, R, S, G);
  const pairs = pairsOf(depth);
  const kind = tilesOf(C, R, S, G);
  const tilesW = (OW + 1) >> 1;
  const tiles = ((OH + tileRowsOf(kind) - 1) / tileRowsOf(kind)) * tilesW;
  const columns = columnsOf(C, R, S, G, OH, OW);
  const rowBytes = <usize>paddedSize(OW, S) << 1;
  const planeBytes = <usize>planeRows(OH, R) * rowBytes;
  const positionBytes = positionPanelBytes(C, R, S, G, OH, OW);
  const q = pair * 2;
  const hasSecond = q + 1 < depth;
  // Each depth index's window origin: its channel's plane, shifted by its kernel block.
  const origin0 = quantized + <usize>(g * Cg + q % Cg) * planeBytes + <usize>((q / Cg) / blocksW * 3) * rowBytes + (<usize>((q / Cg) % blocksW * 3) << 1);
  const q1 = hasSecond ? q + 1 : q;
  const origin1 = quantized + <usize>(g * Cg + q1 % Cg) * planeBytes + <usize>((q1 / Cg) / blocksW * 3) * rowBytes + (<usize>((q1 / Cg) % blocksW * 3) << 1);
  const groupPanels = panels + <usize>(g * positionsOf(C, R, S, G)) * positionBytes;
  for (let t = 0; t < columns; t += 4) {
    const column = groupPanels + ((<usize>(t >> 3) * pairs + pair) * NR + (t & 7) << 2);
    transformFourTiles(column, positionBytes, origin0, origin1, hasSecond, kind, t, tiles, tilesW, rowBytes);
  }
}

/**
 * Whether each pair of depth indices holds two channels of one kernel block (or the last channel
 * alone), so that an item can quantize two channels and transform every pair they make: with one
 * block, or an even number of channels a group. Else an item is a whole group.
 */
export function winogradInt8PairsFold(C: i32, R: i32, S: i32, G: i32): bool {
  return (C / G) % 2 == 0 || depthOf(C, R, S, G) == C / G;
}

/**
 * Items [first, end) of the int8 input quantization and transform for one image. Quantization: input
 * [C, H, W] -> i16 in [-127, 127] with the image's largest |x| (from maxima [C], planeMaxima), each
 * plane inside a zero border of padTop rows and padLeft columns (and enough below and right that every
 * tile's windows lie inside), at the start of `scratch`; transform: the panels after it <- B^T d B, pair
 * by pair (depth indices 2 pair and 2 pair + 1). Where winogradInt8PairsFold, item = g * ceil(C/G / 2) + p
 * quantizes channels 2p and 2p + 1 of group g and transforms the pairs they make in every kernel block,
 * while its planes are still in cache; else item g does a whole group.
 */
export function winogradInt8QuantizeTransform(
  scratch: usize, input: usize, maxima: usize, C: i32, H: i32, W: i32, R: i32, S: i32, G: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32,
  first: i32, end: i32,
): void {
  if (R > 6 || S > 6) unreachable();
  const Cg = C / G;
  const folds = winogradInt8PairsFold(C, R, S, G);
  const channels = folds ? 2 : Cg;
  const itemsPerGroup = (Cg + channels - 1) / channels;
  const rows = planeRows(OH, R);
  const columns = paddedSize(OW, S);
  checkRange(scratch, quantizedBytes(C, R, S, OH, OW) + panelBytes(C, R, S, G, OH, OW));
  checkRange(input, <usize>C * H * W << 2);
  checkRange(maxima, <usize>C << 2);
  if (first < 0 || end > G * itemsPerGroup || padTop < 0 || padLeft < 0) unreachable();
  const factor = quantizeFactor(largestOf(maxima, C));
  const depth = depthOf(C, R, S, G);
  const blocks = depth / Cg;
  const pairs = pairsOf(depth);
  const panels = scratch + quantizedBytes(C, R, S, OH, OW);
  for (let item = first; item < end; item++) {
    const g = item / itemsPerGroup;
    // The item's first channel in its group.
    const first = (item % itemsPerGroup) * channels;
    for (let c = g * Cg + first; c < g * Cg + min(first + channels, Cg); c++) {
      quantizePlane(scratch + (<usize>c * rows * columns << 1), input, c, H, W, padTop, padLeft, rows, columns, factor);
    }
    if (!folds) {
      for (let pair = 0; pair < pairs; pair++) transformPair(panels, scratch, g, pair, C, R, S, G, OH, OW);
      continue;
    }
    // Depth index b * Cg + first starts a pair: C/G is even, or there is one block.
    for (let b = 0; b < blocks; b++) transformPair(panels, scratch, g, (b * Cg + first) >> 1, C, R, S, G, OH, OW);
  }
}

/**
 * Items [first, end) of the int8 multiply pass for one image (numbered as multiplyItems says): out
 * [K, OH, OW] <- the packed i16 weights (winogradInt8PackedWeightBytes) with per-channel scales [K] x the
 * panels winogradInt8QuantizeTransform wrote to `scratch`, the input's step from maxima [C], bias [K].
 */
export function winogradInt8Multiply(
  out: usize, scratch: usize, transformedWeights: usize, scales: usize, maxima: usize, bias: usize,
  C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32, relu: bool, mBlock: i32, nBlock: i32, first: i32, end: i32,
): void {
  if (R > 6 || S > 6) unreachable();
  const pairs = pairsOf(depthOf(C, R, S, G));
  const kind = tilesOf(C, R, S, G);
  const tileRows = tileRowsOf(kind);
  const positions = positionsOf(C, R, S, G);
  const Kg = K / G;
  const mTiles = (Kg + MR - 1) / MR;
  const tilesW = (OW + 1) >> 1;
  const tiles = ((OH + tileRows - 1) / tileRows) * tilesW;
  const columns = columnsOf(C, R, S, G, OH, OW);
  const nTiles = columns / NR;
  checkRange(out, <usize>K * OH * OW << 2);
  checkRange(transformedWeights, <usize>winogradInt8PackedWeightBytes(C, K, R, S, G));
  checkRange(scales, <usize>K << 2);
  checkRange(maxima, <usize>C << 2);
  checkRange(bias, <usize>K << 2);
  checkRange(scratch, winogradInt8ScratchBytes(C, K, R, S, G, OH, OW));
  if (mBlock < 1 || nBlock < 1 || first < 0 || end > multiplyItems(mTiles, nTiles, G, mBlock, nBlock)) unreachable();
  const step = stepOf(largestOf(maxima, C));
  const panelStride = positionPanelBytes(C, R, S, G, OH, OW);
  const productBytes = positionProductBytes(C, K, R, S, G, OH, OW);
  const weightBytes = <usize>mTiles * pairs * MR << 2;
  const panelsStart = scratch + quantizedBytes(C, R, S, OH, OW);
  const products = panelsStart + panelBytes(C, R, S, G, OH, OW);
  for (let item = first; item < end; ) {
    item = locateRun(item, end, mTiles, nTiles, mBlock, nBlock);
    const g = itemGroup;
    const groupProducts = products + <usize>(g * positions) * productBytes;
    const groupPanels = panelsStart + <usize>(g * positions) * panelStride;
    const groupWeights = transformedWeights + <usize>(g * positions) * weightBytes;
    const groupOut = out + (<usize>(g * Kg) * OH * OW << 2);
    const groupScales = scales + (<usize>(g * Kg) << 2);
    const groupBias = bias + (<usize>(g * Kg) << 2);
    // A few panels at a time through all 16 (or 24) GEMMs and the output transform, so the products are still in cache.
    for (let n0 = itemN0; n0 < itemN1; n0 += PANELS_PER_PASS) {
      const n1 = min(itemN1, n0 + PANELS_PER_PASS);
      for (let pos = 0; pos < positions; pos++) {
        multiplyBlockInt16(
          groupProducts + <usize>pos * productBytes, columns, groupWeights + <usize>pos * weightBytes,
          groupPanels + <usize>pos * panelStride, itemM0, itemM1, n0, n1, pairs,
        );
      }
      const k1 = min(Kg, itemM1 * MR);
      const t1 = min(tiles, n1 * NR);
      transformOutput(groupOut, groupProducts, groupScales, step, groupBias, itemM0 * MR, k1, n0 * NR, t1, Kg, OH, OW, tilesW, columns, relu, kind);
    }
  }
}
