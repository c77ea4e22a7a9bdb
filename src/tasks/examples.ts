import type { ProbingTask, Split } from './types.js';

/**
 * A task's examples as plain JSON, for people and other tools to check against the corpus:
 * word positions are UD word ids (1-based, the CoNLL-U ID column), not array indices.
 */
export interface ExportedExample {
  id: string; // `train/0`, `test/17`: split and position in it
  sentence_id: string; // the UD `# sent_id`, or the SST-2 row (`sst2/test.tsv:12`)
  text: string; // what the encoder reads (bshift: the words joined by spaces, after any swap)
  label: string;
  target?: { index: number; form: string }; // word tasks: the word; tense/subjnum/objnum: the target word
  swap?: [number, number]; // bshift's shifted examples: the two swapped words
}

export interface ExportedTask {
  name: string;
  train: ExportedExample[];
  test: ExportedExample[];
}

function exportSplit(task: ProbingTask, split: Split, name: 'train' | 'test'): ExportedExample[] {
  return split.examples.map((ex, i) => {
    const sentence = split.sentences[ex.sentence];
    const word = ex.word ?? ex.target;
    return {
      id: `${name}/${i}`,
      sentence_id: sentence.corpusId ?? sentence.id,
      text: sentence.text,
      label: task.labels[ex.label],
      ...(word !== undefined && { target: { index: word + 1, form: sentence.words[word] } }),
      ...(ex.swap !== undefined && { swap: [ex.swap + 1, ex.swap + 2] as [number, number] }),
    };
  });
}

/** Every example of a task, train then test, with its sentence id, text, label, target and swap. */
export function taskExamples(task: ProbingTask): ExportedTask {
  return { name: task.name, train: exportSplit(task, task.train, 'train'), test: exportSplit(task, task.test, 'test') };
}
