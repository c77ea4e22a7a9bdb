/**
 * Groups items into batches of similar length (sorted by token count) and returns each
 * batch's item indices, longest batch first (batches run side by side then end together, on
 * short ones); callers write results back by index, so output order is input order. A batch closes when it holds `batchSize` items, when batch × longest would pass
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
  return batches.reverse();
}

/**
 * Starts `run` on each batch in turn, with up to two per session unfinished (a session that ends
 * first starts its next at once), and hands each result to `consume` in batch order. A batch that
 * fails while an earlier one is awaited fails the call when its turn comes.
 */
export async function runInOrder<R>(batches: readonly number[][], sessions: number, run: (items: number[]) => Promise<R>, consume: (items: number[], result: R) => void): Promise<void> {
  const running: Array<{ items: number[]; result: Promise<R> }> = [];
  const consumeFirst = async () => {
    const { items, result } = running.shift()!;
    consume(items, await result);
  };
  for (const items of batches) {
    const result = run(items);
    result.catch(() => {}); // awaited in its turn
    running.push({ items, result });
    if (running.length >= 2 * sessions) await consumeFirst();
  }
  while (running.length > 0) await consumeFirst();
}
