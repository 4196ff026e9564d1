// Turning the network's output into ranked, labelled scores.

export interface Classification {
  index: number;
  label: string;
  /** Probability in [0, 1]. */
  score: number;
}

/** Softmax of one row (for networks that end in logits). */
export function softmaxRow(logits: Float32Array): Float32Array {
  let largest = -Infinity;
  for (const v of logits) largest = Math.max(largest, v);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - largest);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** The `k` best classes, best first; ties keep the lower index first. */
export function topK(scores: Float32Array, labels: readonly string[], k: number): Classification[] {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  return order.slice(0, k).map((index) => ({ index, label: labels[index], score: scores[index] }));
}
