// lrn: cross-channel local response normalization on NCHW.
//   out[n, c, p] = input[n, c, p] / (k + alpha * sum_{j in window(c)} input[n, j, p]^2) ^ beta
// window(c) = [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)] clipped to [0, C) (ONNX, Caffe).
// alpha arrives already divided by size when the model uses the Caffe/ONNX convention.
// Vectorized over pixels; beta = 0.75 (every AlexNet) uses two square roots instead of pow.
import { checkRange } from './simd';

/** Items [first, end) of out [N, C, HW] <- input [N, C, HW]; item = n * C + c, one output plane. */
export function lrn(out: usize, input: usize, N: i32, C: i32, HW: i32, size: i32, alpha: f32, beta: f32, k: f32, first: i32, end: i32): void {
  checkRange(out, <usize>N * C * HW << 2);
  checkRange(input, <usize>N * C * HW << 2);
  if (first < 0 || end > N * C) unreachable();
  const before = (size - 1) / 2;
  const after = size - 1 - before;
  const planeBytes = <usize>HW << 2;
  const vectorEnd = HW & ~3;
  const alphaV = f32x4.splat(alpha);
  const kV = f32x4.splat(k);
  const fastBeta = beta == 0.75;
  for (let item = first; item < end; item++) {
    const n = item / C;
    const c = item % C;
    const image = input + <usize>n * C * planeBytes;
    const outImage = out + <usize>n * C * planeBytes;
    const lo = max(c - before, 0);
    const hi = min(c + after, C - 1);
    const center = image + <usize>c * planeBytes;
    const dst = outImage + <usize>c * planeBytes;
    let p = 0;
    if (fastBeta) {
      for (; p < vectorEnd; p += 4) {
        const offset = <usize>p << 2;
        let sum = f32x4.splat(0);
        for (let j = lo; j <= hi; j++) {
          const v = v128.load(image + <usize>j * planeBytes + offset);
          sum = f32x4.add(sum, f32x4.mul(v, v));
        }
        const t = f32x4.add(kV, f32x4.mul(alphaV, sum));
        const root = f32x4.sqrt(t);
        const denominator = f32x4.mul(root, f32x4.sqrt(root)); // t^0.75
        v128.store(dst + offset, f32x4.div(v128.load(center + offset), denominator));
      }
    }
    for (; p < HW; p++) {
      const offset = <usize>p << 2;
      let sum: f32 = 0;
      for (let j = lo; j <= hi; j++) {
        const v = load<f32>(image + <usize>j * planeBytes + offset);
        sum += v * v;
      }
      store<f32>(dst + offset, load<f32>(center + offset) / Mathf.pow(k + alpha * sum, beta));
    }
  }
}
