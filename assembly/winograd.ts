// conv2dWinograd: stride-1 convolutions with Winograd's F(2x2, 3x3) (Lavin & Gray, 2015).
//
// Every 2x2 block of outputs is computed from a 4x4 input tile with 16 multiplies per input
// channel instead of 36. Kernels up to 6x6 are cut into 3x3 blocks (a 5x5 kernel is four, padded
// with zeros): each block acts as one more input channel reading the input shifted by 3 rows or
// columns, so AlexNet's 5x5 conv2 needs 64 multiplies per output tile instead of 100. Per image, in
// two passes that threads share out item by item:
//   1. winogradTransformInput: V = B^T d B for every channel and tile, written as 16 packed panel sets
//      per group (one per position of the 4x4 transformed tile), each [T / NR][C/G * blocks][NR] like
//      conv2d's panels (positionStride apart); one item is a group and a depth index (channel and kernel block).
//   2. winogradMultiply: for each position the GEMM M[pos] = U[pos] x V[pos], with U = G g G^T transformed
//      once at load time (winogradPackWeights in pack-weights.ts: [G][16][K/G / MR][C/G * blocks][MR])
//      and conv2d's register-tiled multiply, then the output transform Y = A^T M A per tile, plus bias
//      and ReLU, keeping outputs inside OH x OW; one item is a group, a block of weight tiles and a
//      block of panels (multiplyItems), which write only their own part of the product matrices.
// The transforms are exact in binary floating point up to rounding (coefficients 0, +-1, +-0.5), and
// each output is computed in the same order whatever the split into items.
import { itemGroup, itemM0, itemM1, itemN0, itemN1, locateRun, MR, multiplyBlock, multiplyItems, NR, roundUp } from './conv2d';
import { squareTileOutputs, squareY00, squareY01, squareY10, squareY11, storeTiles } from './output-tiles';
import { checkRange, relu4 } from './simd';

export const POSITIONS = 16;

/**
 * Bytes from one position's panels (or products) to the next: one cache line more than they take, so
 * the 16 positions a tile writes (or reads) never fall in one set of the L1 cache. conv3's panels are
 * otherwise exactly 14 (f32) or 7 (int8) x 4 KiB apart, and its input transform ran 2.2-2.4x slower.
 */
@inline export function positionStride(bytes: usize): usize {
  return bytes + 64;
}

/** 3x3 blocks a kernel of `size` rows (or columns) is cut into. */
@inline export function blocksOf(size: i32): i32 {
  return (size + 2) / 3;
}

/** Bytes of the panels winogradTransformInput writes for one image: [G][16][T / NR][depth][NR]. */
export function winogradPanelBytes(C: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  const columns = roundUp(((OH + 1) >> 1) * ((OW + 1) >> 1), NR);
  const depth = (C / G) * blocksOf(R) * blocksOf(S);
  return <usize>G * POSITIONS * positionStride(<usize>depth * <usize>columns << 2);
}

/** Bytes of Winograd's scratch for one image: the panels, then the products [G][16][K/G rounded up to MR][T rounded up to NR]. */
export function winogradScratchBytes(C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  const columns = roundUp(((OH + 1) >> 1) * ((OW + 1) >> 1), NR);
  return winogradPanelBytes(C, R, S, G, OH, OW) + <usize>G * POSITIONS * positionStride(<usize>roundUp(K / G, MR) * <usize>columns << 2);
}

/** Floats of transformed, packed weights: [G][16][ceil(K/G / MR)][C/G * blocks][MR]. */
export function winogradPackedWeightFloats(C: i32, K: i32, R: i32, S: i32, G: i32): i32 {
  return G * POSITIONS * roundUp(K / G, MR) * (C / G) * blocksOf(R) * blocksOf(S);
}

/** Four inputs of row h from column w0 of a plane; 0 in the padding. */
@inline function inputRow(plane: usize, H: i32, W: i32, h: i32, w0: i32): v128 {
  if (h >= 0 && h < H && w0 >= 0 && w0 + 4 <= W) return v128.load(plane + (<usize>(h * W + w0) << 2));
  return inputRowEdge(plane, H, W, h, w0);
}

// inputRow where the four columns (or the row) reach into the padding, value by value. Not inlined: one copy for every caller.
function inputRowEdge(plane: usize, H: i32, W: i32, h: i32, w0: i32): v128 {
  let v = f32x4.splat(0);
  if (h < 0 || h >= H) return v;
  const row = plane + (<usize>(h * W) << 2);
  if (w0 >= 0 && w0 < W) v = f32x4.replace_lane(v, 0, load<f32>(row + (<usize>w0 << 2)));
  if (w0 + 1 >= 0 && w0 + 1 < W) v = f32x4.replace_lane(v, 1, load<f32>(row + (<usize>(w0 + 1) << 2)));
  if (w0 + 2 >= 0 && w0 + 2 < W) v = f32x4.replace_lane(v, 2, load<f32>(row + (<usize>(w0 + 2) << 2)));
  if (w0 + 3 >= 0 && w0 + 3 < W) v = f32x4.replace_lane(v, 3, load<f32>(row + (<usize>(w0 + 3) << 2)));
  return v;
}

// How a transform stores one position of four tiles side by side: whole, only the lanes of `keep`
// (zeros in the others), or those lanes into what is there (a tile row that ends among the four).
export const STORE_ALL: i32 = 0;
export const STORE_KEPT: i32 = 1;
export const MERGE_KEPT: i32 = 2;

@inline export function storeLanes(at: usize, v: v128, keep: v128, mode: i32): void {
  if (mode == STORE_ALL) v128.store(at, v);
  else if (mode == STORE_KEPT) v128.store(at, v128.and(v, keep));
  else v128.store(at, v128.or(v128.load(at), v128.and(v, keep)));
}

// Columns 0-3 of one window row for four tiles side by side (tile k's window two columns right of tile
// k - 1's), one tile a lane: the row's columns w .. w + 9, zeros in the padding. Globals: one set per instance.
let c0: v128 = f32x4.splat(0);
let c1: v128 = f32x4.splat(0);
let c2: v128 = f32x4.splat(0);
let c3: v128 = f32x4.splat(0);

@inline function windowColumns(plane: usize, H: i32, W: i32, h: i32, w: i32): void {
  const low = inputRow(plane, H, W, h, w);
  const high = inputRow(plane, H, W, h, w + 4);
  const last = inputRow(plane, H, W, h, w + 8);
  c0 = v128.shuffle<f32>(low, high, 0, 2, 4, 6);
  c1 = v128.shuffle<f32>(low, high, 1, 3, 5, 7);
  c2 = v128.shuffle<f32>(c0, last, 1, 2, 3, 4);
  c3 = v128.shuffle<f32>(c1, last, 1, 2, 3, 5);
}

// Row i of V for four tiles from row i of t = B^T d (columns 0-3, one tile a lane): positions 4i .. 4i + 3.
@inline function storeFourRow(at: usize, stride: usize, t0: v128, t1: v128, t2: v128, t3: v128, keep: v128, mode: i32): void {
  storeLanes(at, f32x4.sub(t0, t2), keep, mode);
  storeLanes(at + stride, f32x4.add(t1, t2), keep, mode);
  storeLanes(at + 2 * stride, f32x4.sub(t2, t1), keep, mode);
  storeLanes(at + 3 * stride, f32x4.sub(t1, t3), keep, mode);
}

// The 16 positions of four side-by-side 4x4 windows whose first starts at row h, column w: t = B^T d
// down the columns, then each row of V = t B, the order a tile at a time took, so the same bits.
function sideBySide(out: usize, stride: usize, plane: usize, H: i32, W: i32, h: i32, w: i32, keep: v128, mode: i32): void {
  windowColumns(plane, H, W, h, w);
  const x00 = c0, x01 = c1, x02 = c2, x03 = c3;
  windowColumns(plane, H, W, h + 1, w);
  const x10 = c0, x11 = c1, x12 = c2, x13 = c3;
  windowColumns(plane, H, W, h + 2, w);
  const x20 = c0, x21 = c1, x22 = c2, x23 = c3;
  windowColumns(plane, H, W, h + 3, w);
  storeFourRow(out, stride, f32x4.sub(x00, x20), f32x4.sub(x01, x21), f32x4.sub(x02, x22), f32x4.sub(x03, x23), keep, mode);
  storeFourRow(out + 4 * stride, stride, f32x4.add(x10, x20), f32x4.add(x11, x21), f32x4.add(x12, x22), f32x4.add(x13, x23), keep, mode);
  storeFourRow(out + 8 * stride, stride, f32x4.sub(x20, x10), f32x4.sub(x21, x11), f32x4.sub(x22, x12), f32x4.sub(x23, x13), keep, mode);
  storeFourRow(out + 12 * stride, stride, f32x4.sub(x10, c0), f32x4.sub(x11, c1), f32x4.sub(x12, c2), f32x4.sub(x13, c3), keep, mode);
}

// Where lanes [from, lanesEnd) of tiles t .. t + 3 lie (those of one tile row): tile row lanesRow, lane k
// at tile column lanesColumn + k (negative for a row that begins among the four). Globals: one set per instance.
export let lanesRow: i32 = 0;
export let lanesColumn: i32 = 0;
export let lanesEnd: i32 = 0;

@inline export function locateLanes(t: i32, from: i32, count: i32, tilesW: i32): void {
  const tileColumn = (t + from) % tilesW;
  lanesRow = (t + from) / tilesW;
  lanesColumn = tileColumn - from;
  lanesEnd = min(count, from + tilesW - tileColumn);
}

/** How lanes [from, end) of four tiles are stored: all four at once, the first run (zeros past it), or a later one. */
@inline export function storeMode(from: i32, end: i32): i32 {
  if (from > 0) return MERGE_KEPT;
  return end == 4 ? STORE_ALL : STORE_KEPT;
}

/** The f32 lanes of tiles 0 .. count - 1. */
@inline function tileLanes(count: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(count));
}

// panels[pos][T / NR][depth][NR] <- B^T d B of every 4x4 input tile for depth index q = block * Cg + c
// (matching the packed weights), four tiles at a time; zeros in the columns past the last tile.
function transformInputDepth(
  panels: usize, input: usize, q: i32, Cg: i32, depth: i32, H: i32, W: i32, padTop: i32, padLeft: i32,
  tilesW: i32, tiles: i32, blocksW: i32,
): void {
  const columns = roundUp(tiles, NR);
  const positionBytes = positionStride(<usize>depth * columns << 2);
  const block = q / Cg;
  const plane = input + (<usize>(q % Cg) * H * W << 2);
  const top = (block / blocksW) * 3 - padTop;
  const left = (block % blocksW) * 3 - padLeft;
  for (let t = 0; t < columns; t += 4) {
    const column = panels + ((<usize>(t >> 3) * depth + q) * NR + (t & 7) << 2);
    if (t >= tiles) {
      for (let pos = 0; pos < POSITIONS; pos++) v128.store(column + <usize>pos * positionBytes, f32x4.splat(0));
      continue;
    }
    const count = min(4, tiles - t);
    for (let from = 0; from < count; from = lanesEnd) {
      locateLanes(t, from, count, tilesW);
      const h = lanesRow * 2 + top;
      const w = lanesColumn * 2 + left;
      sideBySide(column, positionBytes, plane, H, W, h, w, v128.andnot(tileLanes(lanesEnd), tileLanes(from)), storeMode(from, lanesEnd));
    }
  }
}

/**
 * Items [first, end) of the input transform for one image: item = g * depth + q, depth = C/G * blocks.
 * panels (winogradPanelBytes, at the start of the scratch) <- input [C, H, W].
 */
export function winogradTransformInput(
  scratch: usize, input: usize, C: i32, H: i32, W: i32, R: i32, S: i32, G: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32,
  first: i32, end: i32,
): void {
  if (R > 6 || S > 6) unreachable();
  const Cg = C / G;
  const blocksW = blocksOf(S);
  const depth = Cg * blocksOf(R) * blocksW;
  const tilesW = (OW + 1) >> 1;
  const tiles = ((OH + 1) >> 1) * tilesW;
  checkRange(scratch, winogradPanelBytes(C, R, S, G, OH, OW));
  checkRange(input, <usize>C * H * W << 2);
  if (first < 0 || end > G * depth) unreachable();
  const groupBytes = <usize>POSITIONS * positionStride(<usize>depth * roundUp(tiles, NR) << 2);
  for (let item = first; item < end; item++) {
    const g = item / depth;
    const groupInput = input + (<usize>(g * Cg) * H * W << 2);
    transformInputDepth(scratch + <usize>g * groupBytes, groupInput, item % depth, Cg, depth, H, W, padTop, padLeft, tilesW, tiles, blocksW);
  }
}

/** bias + y, ReLU'd where `relu`. */
@inline function finishOutputs(y: v128, bias: v128, relu: bool): v128 {
  const v = f32x4.add(y, bias);
  return relu ? relu4(v) : v;
}

// out[k][OH][OW] <- A^T M A + bias (ReLU) for rows [k0, k1) and tiles [t0, t1) of products[pos][Kg_pad][columns],
// four tiles a step in the v128 lanes (t0 is a multiple of NR, the products have columns up to one): the
// sums in the order one tile at a time took, so the same bits, and (with output-tiles.ts) 16-byte
// loads and stores instead of a float each.
function transformOutput(
  out: usize, products: usize, bias: usize, k0: i32, k1: i32, t0: i32, t1: i32, Kg: i32, OH: i32, OW: i32, tilesW: i32, columns: i32, relu: bool,
): void {
  const stride = positionStride(<usize>roundUp(Kg, MR) * columns << 2);
  for (let k = k0; k < k1; k++) {
    const b = f32x4.splat(load<f32>(bias + (<usize>k << 2)));
    const plane = out + (<usize>k * OH * OW << 2);
    for (let t = t0; t < t1; t += 4) {
      squareTileOutputs(products + (<usize>(k * columns + t) << 2), stride, true);
      storeTiles(
        plane, t, t1, tilesW, 2, 0, OH, OW,
        finishOutputs(squareY00, b, relu), finishOutputs(squareY01, b, relu), finishOutputs(squareY10, b, relu), finishOutputs(squareY11, b, relu),
      );
    }
  }
}

/**
 * Items [first, end) of the multiply pass for one image (numbered as multiplyItems says, over tiles of
 * MR output channels and NR Winograd tiles): out [K, OH, OW] <- transformed weights
 * (winogradPackedWeightFloats) x the panels winogradTransformInput wrote to `scratch`, bias [K].
 */
export function winogradMultiply(
  out: usize, scratch: usize, transformedWeights: usize, bias: usize,
  C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32, relu: bool, mBlock: i32, nBlock: i32, first: i32, end: i32,
): void {
  if (R > 6 || S > 6) unreachable();
  const depth = (C / G) * blocksOf(R) * blocksOf(S);
  const Kg = K / G;
  const mTiles = (Kg + MR - 1) / MR;
  const tilesW = (OW + 1) >> 1;
  const tiles = ((OH + 1) >> 1) * tilesW;
  const columns = roundUp(tiles, NR);
  const nTiles = columns / NR;
  checkRange(out, <usize>K * OH * OW << 2);
  checkRange(transformedWeights, <usize>winogradPackedWeightFloats(C, K, R, S, G) << 2);
  checkRange(bias, <usize>K << 2);
  checkRange(scratch, winogradScratchBytes(C, K, R, S, G, OH, OW));
  if (mBlock < 1 || nBlock < 1 || first < 0 || end > multiplyItems(mTiles, nTiles, G, mBlock, nBlock)) unreachable();
  const panelBytes = positionStride(<usize>depth * columns << 2);
  const productBytes = positionStride(<usize>mTiles * MR * columns << 2);
  const weightBytes = <usize>mTiles * MR * depth << 2;
  const products = scratch + winogradPanelBytes(C, R, S, G, OH, OW);
  for (let item = first; item < end; ) {
    item = locateRun(item, end, mTiles, nTiles, mBlock, nBlock);
    const g = itemGroup;
    const groupProducts = products + <usize>(g * POSITIONS) * productBytes;
    const groupPanels = scratch + <usize>(g * POSITIONS) * panelBytes;
    const groupWeights = transformedWeights + <usize>(g * POSITIONS) * weightBytes;
    for (let pos = 0; pos < POSITIONS; pos++) {
      multiplyBlock(
        groupProducts + <usize>pos * productBytes, columns, groupWeights + <usize>pos * weightBytes, groupPanels + <usize>pos * panelBytes,
        itemM0, itemM1, itemN0, itemN1, depth,
      );
    }
    const groupOut = out + (<usize>(g * Kg) * OH * OW << 2);
    transformOutput(groupOut, groupProducts, bias + (<usize>(g * Kg) << 2), itemM0 * MR, min(Kg, itemM1 * MR), itemN0 * NR, min(tiles, itemN1 * NR), Kg, OH, OW, tilesW, columns, relu);
  }
}

/**
 * Items [first, end) of space-to-depth, item = folded plane (n * C + c) * sH * sW + i * sW + j:
 * out [N, C * sH * sW, outH, outW] <- input [N, C, H, W]: each sH x sW block of the zero-padded input
 * becomes sH * sW channels. A stride-(sH, sW) convolution of the input is then a stride-1 convolution
 * of `out` with a kernel ceil(R / sH) x ceil(S / sW), which Winograd runs.
 */
export function spaceToDepth(
  out: usize, input: usize, N: i32, C: i32, H: i32, W: i32, strideH: i32, strideW: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, first: i32, end: i32,
): void {
  const foldedPlanes = N * C * strideH * strideW;
  checkRange(out, <usize>foldedPlanes * outH * outW << 2);
  checkRange(input, <usize>N * C * H * W << 2);
  if (first < 0 || end > foldedPlanes) unreachable();
  for (let item = first; item < end; item++) {
    const j = item % strideW;
    const i = (item / strideW) % strideH;
    const plane = input + (<usize>(item / (strideH * strideW)) * H * W << 2);
    let dst = out + (<usize>item * outH * outW << 2);
    // Output columns [bw0, bw1) read input columns inside [0, W); the others are padding.
    const bw0 = min(padLeft > j ? (padLeft - j + strideW - 1) / strideW : 0, outW);
    const lastColumn = W - 1 + padLeft - j;
    const bw1 = max(lastColumn < 0 ? 0 : min(outW, lastColumn / strideW + 1), bw0);
    for (let bh = 0; bh < outH; bh++) {
      const h = bh * strideH - padTop + i;
      if (h < 0 || h >= H) {
        memory.fill(dst, 0, <usize>outW << 2);
        dst += <usize>outW << 2;
        continue;
      }
      memory.fill(dst, 0, <usize>bw0 << 2);
      let src = plane + (<usize>(h * W + bw0 * strideW - padLeft + j) << 2);
      const step = <usize>strideW << 2;
      for (let bw = bw0; bw < bw1; bw++) {
        store<f32>(dst + (<usize>bw << 2), load<f32>(src));
        src += step;
      }
      memory.fill(dst + (<usize>bw1 << 2), 0, <usize>(outW - bw1) << 2);
      dst += <usize>outW << 2;
    }
  }
}
