// Separable resampling with a triangle (bilinear) filter widened when shrinking, as Pillow does,
// so a large photo is averaged instead of aliased. Pure arithmetic: Node and browsers agree exactly.

/** For each output pixel: the first input pixel it reads and the normalized weights of its taps. */
export interface ResampleTaps {
  first: Int32Array;
  count: Int32Array;
  /** count[i] weights per output pixel, packed; offsets in `start`. */
  weights: Float32Array;
  start: Int32Array;
}

/** Taps for resizing `inSize` pixels to `outSize`, computing only outputs [from, from + length). */
export function resampleTaps(inSize: number, outSize: number, from = 0, length = outSize): ResampleTaps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // triangle filter support is 1, stretched by filterScale
  const first = new Int32Array(length);
  const count = new Int32Array(length);
  const start = new Int32Array(length);
  const weights: number[] = [];
  for (let i = 0; i < length; i++) {
    const center = (from + i + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    const taps: number[] = [];
    for (let x = lo; x < hi; x++) {
      const w = Math.max(0, 1 - Math.abs((x - center + 0.5) / filterScale));
      taps.push(w);
      total += w;
    }
    first[i] = lo;
    count[i] = taps.length;
    start[i] = weights.length;
    for (const w of taps) weights.push(total > 0 ? w / total : 0);
  }
  return { first, count, start, weights: Float32Array.from(weights) };
}

/** Which value of a pixel is resampled: red, green or blue, or luminance (ITU-R 601, as Pillow's "L"). */
export type SourceChannel = 0 | 1 | 2 | 'luminance';

/** One output plane: a source channel, resampled, then mapped to `scale * value + bias`. */
export interface OutputPlane {
  source: SourceChannel;
  scale: number;
  bias: number;
  /** Index in `out` of the plane's first value. */
  offset: number;
}

// One row per call, not one loop over the image: V8 optimizes a function after a few calls, while a
// long loop in a single call runs unoptimized for a good while, and the first image counts.

function horizontalRow(
  rgba: Uint8Array | Uint8ClampedArray, pixels: number, source: SourceChannel, taps: ResampleTaps, outW: number, rows: Float32Array, target: number,
): void {
  const { first, start, count, weights } = taps;
  for (let x = 0; x < outW; x++) {
    const base = pixels + first[x];
    const w = start[x];
    const n = count[x];
    let sum = 0;
    if (source === 'luminance') {
      for (let t = 0; t < n; t++) {
        const at = (base + t) * 4;
        sum += ((rgba[at] * 299 + rgba[at + 1] * 587 + rgba[at + 2] * 114) / 1000) * weights[w + t];
      }
    } else {
      for (let t = 0; t < n; t++) sum += rgba[(base + t) * 4 + source] * weights[w + t];
    }
    rows[target + x] = sum;
  }
}

function verticalRow(
  rows: Float32Array, base: number, weights: Float32Array, w: number, taps: number, outW: number,
  scale: number, bias: number, out: Float32Array, target: number,
): void {
  for (let x = 0; x < outW; x++) {
    let sum = 0;
    for (let t = 0; t < taps; t++) sum += rows[base + t * outW + x] * weights[w + t];
    out[target + x] = sum * scale + bias;
  }
}

/**
 * Resamples RGBA pixels (inH x inW) to the window [top, top + outH) x [left, left + outW) of the image
 * resized to fullH x fullW, writing each of `planes` ([outH][outW]) into `out`. Reads the RGBA bytes
 * directly and scales in the last pass: fewer passes over the output.
 */
export function resampleRgba(
  rgba: Uint8Array | Uint8ClampedArray, inH: number, inW: number, fullH: number, fullW: number,
  top: number, left: number, outH: number, outW: number, planes: OutputPlane[], out: Float32Array,
): void {
  const horizontal = resampleTaps(inW, fullW, left, outW);
  const { first: vFirst, count: vCount, start: vStart, weights: vWeights } = resampleTaps(inH, fullH, top, outH);
  // Only the source rows the vertical taps read are resampled horizontally.
  const rowFrom = vFirst[0];
  const rowTo = vFirst[outH - 1] + vCount[outH - 1];
  const rows = new Float32Array((rowTo - rowFrom) * outW);
  let resampled: SourceChannel | undefined;
  for (const { source, scale, bias, offset } of planes) {
    if (source !== resampled) {
      for (let y = rowFrom; y < rowTo; y++) horizontalRow(rgba, y * inW, source, horizontal, outW, rows, (y - rowFrom) * outW);
      resampled = source;
    }
    for (let y = 0; y < outH; y++) {
      verticalRow(rows, (vFirst[y] - rowFrom) * outW, vWeights, vStart[y], vCount[y], outW, scale, bias, out, offset + y * outW);
    }
  }
}
