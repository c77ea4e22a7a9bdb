import { Random } from '../core/random.js';
import type { ProbingTask, Split, TaskExample } from './types.js';

/**
 * Whether a task has a control task in the sense of Hewitt & Liang (2019, "Designing and
 * Interpreting Probes with Control Tasks", EMNLP): word tasks, and sentence tasks about one
 * target word (tense, subjnum, objnum). A control task gives each word *type* a random label,
 * so it measures how much a probe can memorise about types. Sentence tasks with no target word
 * (sentlen, treedepth, bshift, sst2) have no type to randomise: shuffling their labels would
 * only give a chance-level baseline, which the majority baseline already reports.
 */
export function hasControlTask(task: ProbingTask): boolean {
  if (task.level === 'word') return true;
  const examples = [...task.train.examples, ...task.test.examples];
  return examples.length > 0 && examples.every((ex) => ex.target !== undefined);
}

/**
 * The control task of Hewitt & Liang (2019): every word type (lower-cased form of the word,
 * or of the target word of a sentence task) gets one fixed random label, drawn from the task's
 * training label distribution, and keeps it in train and test. A probe can succeed on it only
 * by memorising types. Selectivity = task accuracy − control accuracy.
 * Throws for tasks without a control task (see hasControlTask).
 */
export function controlTask(task: ProbingTask, seed: number): ProbingTask {
  if (!hasControlTask(task)) {
    throw new Error(`task ${task.name} has no control task: only word tasks and sentence tasks with a target word (tense, subjnum, objnum) have one; check hasControlTask(task) first`);
  }
  const rng = new Random(seed);
  const counts = new Float64Array(task.labels.length);
  for (const ex of task.train.examples) counts[ex.label]++;
  let running = 0;
  const cumulative = Array.from(counts, (c) => (running += c) / task.train.examples.length);
  const byType = new Map<string, number>();
  // Types get their label when first met (train, then test), so the map is the same for both splits.
  const relabel = (split: Split): Split => ({
    sentences: split.sentences,
    examples: split.examples.map((ex: TaskExample) => {
      const type = split.sentences[ex.sentence].words[ex.word ?? ex.target!].toLowerCase();
      let label = byType.get(type);
      if (label === undefined) {
        const u = rng.next();
        label = cumulative.findIndex((c) => u < c);
        if (label < 0) label = task.labels.length - 1; // u just below 1 against a rounded last bound
        byType.set(type, label);
      }
      return { ...ex, label };
    }),
  });
  const train = relabel(task.train);
  const test = relabel(task.test);
  return { ...task, name: `${task.name}.control`, description: `control task for ${task.name} (Hewitt & Liang 2019)`, train, test };
}
