// The statistic every bench reports: the middle of the sorted runs.
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The median of the round-by-round ratios a[i] / b[i] of two engines timed in the same alternated rounds:
 * a host whose speed drifts over minutes slows both runs of a round alike, so this moves less than the
 * ratio of the medians when the host is noisy.
 */
export function pairedRatio(a: number[], b: number[]): number {
  return median(a.map((value, round) => value / b[round]));
}
