import { Random } from '../core/random.js';
import type { ProbingTask, Split } from './types.js';

/** At most `max` examples of a split, a seeded sample kept in original order (sentences are shared, not copied). */
function sampleSplit(split: Split, max: number, rng: Random): Split {
  if (split.examples.length <= max) return split;
  const keep = rng.sample(split.examples.length, max);
  return { sentences: split.sentences, examples: keep.map((i) => split.examples[i]) };
}

/** A smaller copy of a task for quick runs: at most `maxTrain` / `maxTest` examples, seeded. */
export function subsampleTask(task: ProbingTask, maxTrain: number, maxTest: number, seed = 0): ProbingTask {
  // Infinity means no cap; 0, negatives and fractions mean nothing and would empty or skew a split.
  for (const [name, max] of [['maxTrain', maxTrain], ['maxTest', maxTest]] as const) {
    if (!(max === Infinity || (Number.isInteger(max) && max >= 1))) throw new Error(`${name} must be an integer ≥ 1 (or Infinity for no cap), got ${max}`);
  }
  const rng = new Random(seed);
  return { ...task, train: sampleSplit(task.train, maxTrain, rng), test: sampleSplit(task.test, maxTest, rng) };
}

/** The task restricted to the first `n` sentences of each split and their examples (the splits stay disjoint). */
export function firstSentences(task: ProbingTask, n: number): ProbingTask {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`n must be an integer ≥ 1, got ${n}`);
  const cut = (split: Split): Split => ({ sentences: split.sentences.slice(0, n), examples: split.examples.filter((ex) => ex.sentence < n) });
  return { ...task, train: cut(task.train), test: cut(task.test) };
}
