import * as dfd from 'danfojs-node';
import { taskStats } from './summary.js';
import type { ProbingTask, Split } from './types.js';

/**
 * Danfo views of tasks, for people in notebooks. One row per example: `split`, then `text`
 * (sentence-level) or `sentence_id` and `word` (word-level), then `label` as a string.
 */
export function taskToDataFrame(task: ProbingTask): dfd.DataFrame {
  const rows = (['train', 'test'] as const).flatMap((name) => {
    const split: Split = task[name];
    return split.examples.map((ex) => {
      const sentence = split.sentences[ex.sentence];
      const where = ex.word === undefined ? { text: sentence.text } : { sentence_id: sentence.id, word: sentence.words[ex.word] };
      return { split: name, ...where, label: task.labels[ex.label] };
    });
  });
  const columns = task.level === 'word' ? ['split', 'sentence_id', 'word', 'label'] : ['split', 'text', 'label'];
  return new dfd.DataFrame(rows, { columns });
}

/** One row per task: name, level, category, classes, train, test (example counts). */
export function tasksSummaryFrame(tasks: readonly ProbingTask[]): dfd.DataFrame {
  const rows = tasks.map((t) => {
    const { name, level, category, classes, train, test } = taskStats(t);
    return { name, level, category, classes, train, test };
  });
  return new dfd.DataFrame(rows, { columns: ['name', 'level', 'category', 'classes', 'train', 'test'] });
}
