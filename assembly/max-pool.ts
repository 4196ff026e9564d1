// maxPool: out[N, C, OH, OW] = max over the kH x kW window of input[N, C, H, W].
// Padding never wins a max: windows are clipped to the input (ONNX and Caffe semantics).
// Ceil mode is decided by the caller through OH and OW; every window must touch the input.
import { checkRange } from './simd';

/** Items [first, end) of out [N*C, OH, OW] <- input [N*C, H, W]; planes = N*C, item = plane. */
export function maxPool(
  out: usize, input: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32, first: i32, end: i32,
): void {
  checkRange(out, <usize>planes * OH * OW << 2);
  checkRange(input, <usize>planes * H * W << 2);
  if (first < 0 || end > planes) unreachable();
  // Every pool AlexNet has (ceil mode or not) is 3 wide with stride 2: four outputs at a time in v128 lanes.
  const fourAtATime = kernelW == 3 && strideW == 2;
  // With stride 2, the first output whose window starts inside the row (its left columns are not padding).
  const firstInside = min((padLeft + 1) >> 1, OW);
  for (let plane = first; plane < end; plane++) {
    const src = input + (<usize>plane * H * W << 2);
    const dst = out + (<usize>plane * OH * OW << 2);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = max(oh * strideH - padTop, 0);
      const h1 = min(oh * strideH - padTop + kernelH, H);
      const row = dst + (<usize>(oh * OW) << 2);
      let ow = 0;
      for (; ow < firstInside; ow++) store<f32>(row + (<usize>ow << 2), windowMax(src, W, h0, h1, ow * strideW - padLeft, kernelW));
      // A block reads the 9 columns of its four windows, which must lie inside the row.
      if (fourAtATime) {
        for (; ow + 4 <= OW && 2 * ow - padLeft + 9 <= W; ow += 4) {
          v128.store(row + (<usize>ow << 2), fourWindowMaxima(src + (<usize>(2 * ow - padLeft) << 2), W, h0, h1));
        }
        // The last outputs: one block that ends at the row's end and rewrites a few outputs with the same values.
        const last = OW - 4;
        if (ow < OW && last >= firstInside && 2 * last - padLeft + 9 <= W) {
          v128.store(row + (<usize>last << 2), fourWindowMaxima(src + (<usize>(2 * last - padLeft) << 2), W, h0, h1));
          ow = OW;
        }
      }
      for (; ow < OW; ow++) store<f32>(row + (<usize>ow << 2), windowMax(src, W, h0, h1, ow * strideW - padLeft, kernelW));
    }
  }
}

/** Max of rows [h0, h1) and columns [start, start + kernelW) clipped to [0, W), one output. */
@inline function windowMax(src: usize, W: i32, h0: i32, h1: i32, start: i32, kernelW: i32): f32 {
  const w0 = max(start, 0);
  const w1 = min(start + kernelW, W);
  let best = -Infinity as f32;
  for (let h = h0; h < h1; h++) {
    const row = src + (<usize>(h * W) << 2);
    for (let w = w0; w < w1; w++) best = max<f32>(best, load<f32>(row + (<usize>w << 2)));
  }
  return best;
}

/**
 * Four 3-wide, stride-2 windows starting at columns 0, 2, 4, 6 of `start`: the column maxima over
 * rows [h0, h1) first (columns 0-3, 4-7 and 5-8), then the three horizontal taps by shuffles. With
 * f32x4.pmax (one instruction; f32x4.max, which propagates NaN, is several in V8: pool1 and pool2 took
 * 0.45 ms at 1 thread, 0.23 with pmax), and NaN, which pmax may drop, kept by a mask of the inputs that
 * are not equal to themselves: a NaN still reaches the output check.
 */
@inline function fourWindowMaxima(start: usize, W: i32, h0: i32, h1: i32): v128 {
  let c0 = f32x4.splat(-Infinity);
  let c1 = c0;
  let c2 = c0;
  let nan0 = i32x4.splat(0);
  let nan1 = nan0;
  let nan2 = nan0;
  for (let h = h0; h < h1; h++) {
    const row = start + (<usize>(h * W) << 2);
    const r0 = v128.load(row);
    const r1 = v128.load(row, 16);
    const r2 = v128.load(row, 20);
    c0 = f32x4.pmax(c0, r0);
    c1 = f32x4.pmax(c1, r1);
    c2 = f32x4.pmax(c2, r2);
    nan0 = v128.or(nan0, f32x4.ne(r0, r0));
    nan1 = v128.or(nan1, f32x4.ne(r1, r1));
    nan2 = v128.or(nan2, f32x4.ne(r2, r2));
  }
  const left = v128.shuffle<f32>(c0, c1, 0, 2, 4, 6);
  const middle = v128.shuffle<f32>(c0, c1, 1, 3, 5, 7);
  const right = v128.shuffle<f32>(left, c2, 1, 2, 3, 7);
  const nanLeft = v128.shuffle<f32>(nan0, nan1, 0, 2, 4, 6);
  const nan = v128.or(v128.or(nanLeft, v128.shuffle<f32>(nan0, nan1, 1, 3, 5, 7)), v128.shuffle<f32>(nanLeft, nan2, 1, 2, 3, 7));
  // All ones is a NaN.
  return v128.or(f32x4.pmax(f32x4.pmax(left, middle), right), nan);
}
