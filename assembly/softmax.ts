// softmax over the last axis: out[N, D] = exp(x - max) / sum(exp(x - max)), max subtracted for range.
import { checkRange } from './simd';

/** Items [first, end) of out [N, D] <- input [N, D]; item = n, one row. */
export function softmax(out: usize, input: usize, N: i32, D: i32, first: i32, end: i32): void {
  checkRange(out, <usize>N * D << 2);
  checkRange(input, <usize>N * D << 2);
  if (first < 0 || end > N) unreachable();
  for (let n = first; n < end; n++) {
    const src = input + (<usize>(n * D) << 2);
    const dst = out + (<usize>(n * D) << 2);
    let largest = -Infinity as f32;
    for (let i = 0; i < D; i++) largest = max<f32>(largest, load<f32>(src + (<usize>i << 2)));
    let sum: f32 = 0;
    for (let i = 0; i < D; i++) {
      const e = Mathf.exp(load<f32>(src + (<usize>i << 2)) - largest);
      store<f32>(dst + (<usize>i << 2), e);
      sum += e;
    }
    const inverse: f32 = 1 / sum;
    for (let i = 0; i < D; i++) store<f32>(dst + (<usize>i << 2), load<f32>(dst + (<usize>i << 2)) * inverse);
  }
}
