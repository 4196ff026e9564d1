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

/**
 * Resamples planar float channels [channels][inH][inW] to the window [top, top + outH) x [left, left + outW)
 * of an image resized to fullH x fullW. Returns [channels][outH][outW].
 */
export function resamplePlanes(
  planes: Float32Array, channels: number, inH: number, inW: number,
  fullH: number, fullW: number, top: number, left: number, outH: number, outW: number,
): Float32Array {
  const horizontal = resampleTaps(inW, fullW, left, outW);
  const vertical = resampleTaps(inH, fullH, top, outH);
  const rows = new Float32Array(inH * outW);
  const out = new Float32Array(channels * outH * outW);
  for (let c = 0; c < channels; c++) {
    const plane = c * inH * inW;
    for (let y = 0; y < inH; y++) {
      for (let x = 0; x < outW; x++) {
        let sum = 0;
        const base = plane + y * inW + horizontal.first[x];
        const w = horizontal.start[x];
        for (let t = 0; t < horizontal.count[x]; t++) sum += planes[base + t] * horizontal.weights[w + t];
        rows[y * outW + x] = sum;
      }
    }
    for (let y = 0; y < outH; y++) {
      const target = (c * outH + y) * outW;
      const w = vertical.start[y];
      for (let x = 0; x < outW; x++) {
        let sum = 0;
        for (let t = 0; t < vertical.count[y]; t++) sum += rows[(vertical.first[y] + t) * outW + x] * vertical.weights[w + t];
        out[target + x] = sum;
      }
    }
  }
  return out;
}
