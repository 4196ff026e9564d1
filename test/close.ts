// Tolerance checks that name the first element out of bounds, so a failure says where to look.
import { expect } from 'vitest';

/** Every |actual - expected| <= atol + rtol * |expected|. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  const detail = worst < 0 ? 'all within tolerance' : `index ${worst}: got ${actual[worst]}, expected ${expected[worst]}`;
  expect(detail).toBe('all within tolerance');
}

export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return dot / Math.sqrt(normA * normB);
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Index of the largest value. */
function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * The int8-arithmetic accuracy gate (README): for each image of a batch, cosine >= 0.995 against the f32
 * reference and the same top-1 class; prints the figures under `label`.
 */
export function expectInt8Agreement(label: string, ours: Float32Array, reference: Float32Array, batch: number): void {
  const perImage = reference.length / batch;
  expect(ours.length).toBe(reference.length);
  const images = Array.from({ length: batch }, (_, n) => {
    const a = ours.subarray(n * perImage, (n + 1) * perImage);
    const b = reference.subarray(n * perImage, (n + 1) * perImage);
    return { cosine: cosineSimilarity(a, b), top1: argmax(a), referenceTop1: argmax(b) };
  });
  console.log(`int8 arithmetic vs f32 reference, ${label}: ${images.map((i) => `cosine ${i.cosine.toFixed(5)}, top-1 ${i.top1}/${i.referenceTop1}`).join('; ')}`);
  for (const image of images) {
    expect(image.cosine).toBeGreaterThanOrEqual(0.995);
    expect(image.top1).toBe(image.referenceTop1);
  }
}
