/**
 * Groups items into batches of similar length (sorted by token count) and returns each
 * batch's item indices; callers write results back by index, so output order is input
 * order. A batch closes when it holds `batchSize` items, when batch × longest would pass
 * `maxTokens` (memory), or when padding would pass `maxPadding` of its real tokens — yet
 * never below `minBatch` items, where small matrix products get slow.
 */
export function planBatches(lengths: number[], batchSize: number, maxTokens = Infinity, maxPadding = 0.02, minBatch = 8): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let real = 0;
  for (const i of order) {
    const longest = lengths[i]; // sorted ascending: the newcomer is the longest
    const size = current.length + 1;
    const tooPadded = current.length >= minBatch && size * longest > (real + longest) * (1 + maxPadding);
    if (current.length > 0 && (current.length >= batchSize || size * longest > maxTokens || tooPadded)) {
      batches.push(current);
      current = [];
      real = 0;
    }
    current.push(i);
    real += longest;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
