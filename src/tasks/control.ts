import { Random } from '../core/random.js';
import type { ProbingTask, Split, TaskExample } from './types.js';

/**
 * The control task of Hewitt & Liang (2019). Word level: every word type gets one fixed
 * random label, drawn from the task's training label distribution, so a probe can only
 * succeed by memorising types. Sentence level: labels shuffled within each split.
 * Selectivity = task accuracy − control accuracy.
 */
export function controlTask(task: ProbingTask, seed: number): ProbingTask {
  const rng = new Random(seed);
  const relabel = (split: Split, label: (ex: TaskExample) => number): Split => ({
    sentences: split.sentences,
    examples: split.examples.map((ex) => ({ ...ex, label: label(ex) })),
  });
  let train: Split;
  let test: Split;
  if (task.level === 'word') {
    const counts = new Float64Array(task.labels.length);
    for (const ex of task.train.examples) counts[ex.label]++;
    let running = 0;
    const cumulative = Array.from(counts, (c) => (running += c) / task.train.examples.length);
    const byType = new Map<string, number>();
    const typeLabel = (split: Split) => (ex: TaskExample) => {
      const type = split.sentences[ex.sentence].words[ex.word!].toLowerCase();
      let label = byType.get(type);
      if (label === undefined) {
        const u = rng.next();
        label = cumulative.findIndex((c) => u < c);
        if (label < 0) label = task.labels.length - 1;
        byType.set(type, label);
      }
      return label;
    };
    train = relabel(task.train, typeLabel(task.train));
    test = relabel(task.test, typeLabel(task.test));
  } else {
    const shuffled = (split: Split) => {
      const labels = rng.shuffle(split.examples.map((ex) => ex.label));
      let i = 0;
      return relabel(split, () => labels[i++]);
    };
    train = shuffled(task.train);
    test = shuffled(task.test);
  }
  return { ...task, name: `${task.name}.control`, description: `control task for ${task.name} (Hewitt & Liang 2019)`, train, test };
}
