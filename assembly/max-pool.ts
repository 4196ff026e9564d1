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
  for (let plane = first; plane < end; plane++) {
    const src = input + (<usize>plane * H * W << 2);
    let dst = out + (<usize>plane * OH * OW << 2);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = max(oh * strideH - padTop, 0);
      const h1 = min(oh * strideH - padTop + kernelH, H);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = max(ow * strideW - padLeft, 0);
        const w1 = min(ow * strideW - padLeft + kernelW, W);
        let best = -Infinity as f32;
        for (let h = h0; h < h1; h++) {
          const row = src + (<usize>(h * W) << 2);
          for (let w = w0; w < w1; w++) best = max<f32>(best, load<f32>(row + (<usize>w << 2)));
        }
        store<f32>(dst, best);
        dst += 4;
      }
    }
  }
}
