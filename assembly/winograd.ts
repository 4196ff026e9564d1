// conv2dWinograd: stride-1 convolutions with Winograd's F(2x2, 3x3) (Lavin & Gray, 2015).
//
// Every 2x2 block of outputs is computed from a 4x4 input tile with 16 multiplies per input
// channel instead of 36. Kernels up to 6x6 are cut into 3x3 blocks (a 5x5 kernel is four, padded
// with zeros): each block acts as one more input channel reading the input shifted by 3 rows or
// columns, so AlexNet's 5x5 conv2 needs 64 multiplies per output tile instead of 100. Per image and group:
//   1. input transform  V = B^T d B for every channel and tile, written as 16 packed panel sets
//      (one per position of the 4x4 transformed tile), each [T / NR][C/G][NR] like conv2d's panels;
//   2. 16 GEMMs         M[pos] = U[pos] x V[pos], with U = G g G^T transformed once at load time
//      (packWinogradWeights in src/backends/wasm/pack.ts: [G][16][K/G / MR][C/G * blocks][MR]) and conv2d's register-tiled multiply;
//   3. output transform Y = A^T M A per tile, plus bias and ReLU, keeping outputs inside OH x OW.
// The transforms are exact in binary floating point up to rounding (coefficients 0, +-1, +-0.5).
import { MR, multiplyPacked, NR, roundUp } from './conv2d';
import { checkRange } from './simd';

const POSITIONS = 16;

/** 3x3 blocks a kernel of `size` rows (or columns) is cut into. */
@inline function blocksOf(size: i32): i32 {
  return (size + 2) / 3;
}

/** Bytes of scratch conv2dWinograd needs: 16 panel sets, then 16 product matrices. */
export function winogradScratchBytes(C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  const columns = roundUp(((OH + 1) >> 1) * ((OW + 1) >> 1), NR);
  const depth = (C / G) * blocksOf(R) * blocksOf(S);
  return <usize>POSITIONS * (depth * columns + roundUp(K / G, MR) * columns) << 2;
}

/** Floats of transformed, packed weights: [G][16][ceil(K/G / MR)][C/G * blocks][MR]. */
export function winogradPackedWeightFloats(C: i32, K: i32, R: i32, S: i32, G: i32): i32 {
  return G * POSITIONS * roundUp(K / G, MR) * (C / G) * blocksOf(R) * blocksOf(S);
}

@inline function inputAt(plane: usize, H: i32, W: i32, h: i32, w: i32): f32 {
  return h >= 0 && h < H && w >= 0 && w < W ? load<f32>(plane + (<usize>(h * W + w) << 2)) : 0;
}

// panels[pos][T / NR][depth][NR] <- B^T d B of every 4x4 input tile of every channel and kernel block;
// depth index = (blockRow * blocksW + blockColumn) * Cg + c, matching the packed weights.
function transformInput(
  panels: usize, input: usize, Cg: i32, H: i32, W: i32, padTop: i32, padLeft: i32,
  tilesH: i32, tilesW: i32, blocksH: i32, blocksW: i32,
): void {
  const columns = roundUp(tilesH * tilesW, NR);
  const depth = Cg * blocksH * blocksW;
  const positionBytes = <usize>depth * columns << 2;
  const d = memory.data(POSITIONS * 4);
  for (let q = 0; q < depth; q++) {
    const c = q % Cg;
    const block = q / Cg;
    const plane = input + (<usize>c * H * W << 2);
    for (let t = 0; t < columns; t++) {
      const column = panels + ((<usize>(t >> 3) * depth + q) * NR + (t & 7) << 2);
      if (t >= tilesH * tilesW) {
        for (let pos = 0; pos < POSITIONS; pos++) store<f32>(column + <usize>pos * positionBytes, 0);
        continue;
      }
      const h0 = (t / tilesW) * 2 - padTop + (block / blocksW) * 3;
      const w0 = (t % tilesW) * 2 - padLeft + (block % blocksW) * 3;
      // Rows first: t_r = (B^T d) row r, kept in d.
      for (let j = 0; j < 4; j++) {
        const x0 = inputAt(plane, H, W, h0, w0 + j);
        const x1 = inputAt(plane, H, W, h0 + 1, w0 + j);
        const x2 = inputAt(plane, H, W, h0 + 2, w0 + j);
        const x3 = inputAt(plane, H, W, h0 + 3, w0 + j);
        store<f32>(d + (<usize>j << 2), x0 - x2);
        store<f32>(d + (<usize>(4 + j) << 2), x1 + x2);
        store<f32>(d + (<usize>(8 + j) << 2), x2 - x1);
        store<f32>(d + (<usize>(12 + j) << 2), x1 - x3);
      }
      // Then columns: V = t B.
      for (let r = 0; r < 4; r++) {
        const row = d + (<usize>(r * 4) << 2);
        const t0 = load<f32>(row), t1 = load<f32>(row, 4), t2 = load<f32>(row, 8), t3 = load<f32>(row, 12);
        const base = column + <usize>(r * 4) * positionBytes;
        store<f32>(base, t0 - t2);
        store<f32>(base + positionBytes, t1 + t2);
        store<f32>(base + 2 * positionBytes, t2 - t1);
        store<f32>(base + 3 * positionBytes, t1 - t3);
      }
    }
  }
}

// out[Kg][OH][OW] <- A^T M A + bias (ReLU) from products[pos][Kg_pad][columns].
function transformOutput(out: usize, products: usize, bias: usize, Kg: i32, OH: i32, OW: i32, tilesW: i32, tiles: i32, relu: bool): void {
  const columns = roundUp(tiles, NR);
  const positionBytes = <usize>roundUp(Kg, MR) * columns << 2;
  const m = memory.data(POSITIONS * 4);
  for (let k = 0; k < Kg; k++) {
    const b = load<f32>(bias + (<usize>k << 2));
    const plane = out + (<usize>k * OH * OW << 2);
    for (let t = 0; t < tiles; t++) {
      const source = products + (<usize>(k * columns + t) << 2);
      // s = A^T M: two rows of four.
      for (let j = 0; j < 4; j++) {
        const m0 = load<f32>(source + <usize>j * positionBytes);
        const m1 = load<f32>(source + <usize>(4 + j) * positionBytes);
        const m2 = load<f32>(source + <usize>(8 + j) * positionBytes);
        const m3 = load<f32>(source + <usize>(12 + j) * positionBytes);
        store<f32>(m + (<usize>j << 2), m0 + m1 + m2);
        store<f32>(m + (<usize>(4 + j) << 2), m1 - m2 - m3);
      }
      const oh = (t / tilesW) * 2;
      const ow = (t % tilesW) * 2;
      for (let i = 0; i < 2; i++) {
        if (oh + i >= OH) break;
        const row = m + (<usize>(i * 4) << 2);
        const s0 = load<f32>(row), s1 = load<f32>(row, 4), s2 = load<f32>(row, 8), s3 = load<f32>(row, 12);
        let y0 = s0 + s1 + s2 + b;
        let y1 = s1 - s2 - s3 + b;
        if (relu) {
          y0 = max<f32>(y0, 0);
          y1 = max<f32>(y1, 0);
        }
        const dst = plane + (<usize>((oh + i) * OW + ow) << 2);
        store<f32>(dst, y0);
        if (ow + 1 < OW) store<f32>(dst, y1, 4);
      }
    }
  }
}

/**
 * out [N, K, OH, OW] <- input [N, C, H, W] for an R x S kernel (R, S <= 6) with stride 1; transformed
 * weights from winogradPackedWeightFloats, bias [K]; scratch of winogradScratchBytes(...) bytes.
 */
export function conv2dWinograd(
  out: usize, input: usize, transformedWeights: usize, bias: usize, scratch: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, R: i32, S: i32, G: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32, relu: bool,
): void {
  if (R > 6 || S > 6) unreachable();
  const blocksH = blocksOf(R);
  const blocksW = blocksOf(S);
  const Cg = C / G;
  const depth = Cg * blocksH * blocksW;
  const Kg = K / G;
  const mTiles = (Kg + MR - 1) / MR;
  const tilesH = (OH + 1) >> 1;
  const tilesW = (OW + 1) >> 1;
  const tiles = tilesH * tilesW;
  const columns = roundUp(tiles, NR);
  checkRange(out, <usize>N * K * OH * OW << 2);
  checkRange(input, <usize>N * C * H * W << 2);
  checkRange(transformedWeights, <usize>winogradPackedWeightFloats(C, K, R, S, G) << 2);
  checkRange(bias, <usize>K << 2);
  checkRange(scratch, winogradScratchBytes(C, K, R, S, G, OH, OW));
  const panels = scratch;
  const panelBytes = <usize>depth * columns << 2;
  const products = scratch + <usize>POSITIONS * panelBytes;
  const productBytes = <usize>mTiles * MR * columns << 2;
  const weightBytes = <usize>mTiles * MR * depth << 2;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      transformInput(panels, input + (<usize>(n * C + g * Cg) * H * W << 2), Cg, H, W, padTop, padLeft, tilesH, tilesW, blocksH, blocksW);
      const groupWeights = transformedWeights + <usize>(g * POSITIONS) * weightBytes;
      for (let pos = 0; pos < POSITIONS; pos++) {
        multiplyPacked(products + <usize>pos * productBytes, groupWeights + <usize>pos * weightBytes, panels + <usize>pos * panelBytes, mTiles, columns / NR, depth);
      }
      const groupOut = out + (<usize>(n * K + g * Kg) * OH * OW << 2);
      transformOutput(groupOut, products, bias + (<usize>(g * Kg) << 2), Kg, OH, OW, tilesW, tiles, relu);
    }
  }
}

/**
 * out [N, C * sH * sW, outH, outW] <- input [N, C, H, W]: each sH x sW block of the zero-padded input
 * becomes sH * sW channels (c' = (c * sH + i) * sW + j). A stride-(sH, sW) convolution of the input is
 * then a stride-1 convolution of `out` with a kernel ceil(R / sH) x ceil(S / sW), which Winograd runs.
 */
export function spaceToDepth(
  out: usize, input: usize, N: i32, C: i32, H: i32, W: i32, strideH: i32, strideW: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  checkRange(out, <usize>N * C * strideH * strideW * outH * outW << 2);
  checkRange(input, <usize>N * C * H * W << 2);
  let dst = out;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = input + (<usize>(n * C + c) * H * W << 2);
      for (let i = 0; i < strideH; i++) {
        for (let j = 0; j < strideW; j++) {
          for (let bh = 0; bh < outH; bh++) {
            const h = bh * strideH - padTop + i;
            const rowInside = h >= 0 && h < H;
            for (let bw = 0; bw < outW; bw++) {
              const w = bw * strideW - padLeft + j;
              store<f32>(dst, rowInside && w >= 0 && w < W ? load<f32>(plane + (<usize>(h * W + w) << 2)) : 0);
              dst += 4;
            }
          }
        }
      }
    }
  }
}
