import type { DroppedLabel, ProbingTask, Split, TaskSentence } from './types.js';

/**
 * A label is kept only if train has at least this many of its examples and test has at least
 * one: fewer cannot be learned by a probe, and a label absent from test cannot be scored.
 */
export const MIN_TRAIN_EXAMPLES = 10;

/** An example before labels become indices: sentence objects are shared across tasks. */
export interface LabelledExample {
  sentence: TaskSentence;
  word?: number;
  target?: number;
  swap?: number;
  label: string;
}

export type TaskMeta = Pick<ProbingTask, 'name' | 'level' | 'category' | 'language' | 'description'>;

function countLabels(examples: readonly LabelledExample[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const ex of examples) counts.set(ex.label, (counts.get(ex.label) ?? 0) + 1);
  return counts;
}

/** Sentences in order of first use, each once; examples point into that list. */
function toSplit(examples: readonly LabelledExample[], labelIndex: ReadonlyMap<string, number>): Split {
  const sentences: TaskSentence[] = [];
  const sentenceIndex = new Map<TaskSentence, number>();
  const out: Split['examples'] = [];
  for (const ex of examples) {
    const label = labelIndex.get(ex.label);
    if (label === undefined) continue;
    let sentence = sentenceIndex.get(ex.sentence);
    if (sentence === undefined) {
      sentence = sentences.push(ex.sentence) - 1;
      sentenceIndex.set(ex.sentence, sentence);
    }
    const { word, target, swap } = ex;
    // Optional fields only when set, so examples stay small and compare equal to hand-written ones.
    out.push({ sentence, ...(word !== undefined && { word }), ...(target !== undefined && { target }), ...(swap !== undefined && { swap }), label });
  }
  return { sentences, examples: out };
}

/**
 * Builds a task from labelled examples: drops labels with too few examples (see
 * MIN_TRAIN_EXAMPLES; they are listed in `dropped`), orders labels by `labelOrder` when given
 * (bins) or alphabetically, and keeps only sentences that have an example.
 */
export function assembleTask(meta: TaskMeta, train: readonly LabelledExample[], test: readonly LabelledExample[], labelOrder?: readonly string[]): ProbingTask {
  const trainCounts = countLabels(train);
  const testCounts = countLabels(test);
  const all = [...new Set([...trainCounts.keys(), ...testCounts.keys()])];
  const ordered = labelOrder ? labelOrder.filter((l) => all.includes(l)) : all.sort();
  const stray = all.filter((l) => !ordered.includes(l));
  if (stray.length > 0) throw new Error(`task ${meta.name}: labels ${stray.join(', ')} are not in its label order`);
  const isKept = (l: string) => (trainCounts.get(l) ?? 0) >= MIN_TRAIN_EXAMPLES && (testCounts.get(l) ?? 0) >= 1;
  const labels = ordered.filter(isKept);
  const dropped: DroppedLabel[] = ordered.filter((l) => !isKept(l)).map((label) => ({ label, train: trainCounts.get(label) ?? 0, test: testCounts.get(label) ?? 0 }));
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  return { ...meta, labels, train: toSplit(train, labelIndex), test: toSplit(test, labelIndex), dropped };
}
