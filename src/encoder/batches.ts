/**
 * Groups items into batches of similar length (sorted by token count), so padding costs
 * little; each batch lists item indices, and callers write results back by index, so
 * output order is input order. `maxTokens` bounds batch × longest length for memory.
 */
export function planBatches(lengths: number[], batchSize: number, maxTokens = Infinity): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const longest = lengths[i]; // sorted ascending: the newcomer is the longest
    if (current.length > 0 && (current.length >= batchSize || (current.length + 1) * longest > maxTokens)) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
