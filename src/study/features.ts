import type { LayerStack } from '../core/activations.js';
import { DEFAULTS, type SentencePooling, type WordPooling } from '../core/config.js';
import { wordOffsets, type Encoder, type ExtractOptions } from '../encoder/encoder.js';
import type { ProbingTask, Split, TaskSentence } from '../tasks/types.js';

/** Features for a probe: row i of `train` belongs to `task.train.examples[i]`, likewise for test. */
export interface TaskFeatures {
  train: LayerStack;
  test: LayerStack;
}

export interface TaskFeatureOptions extends ExtractOptions {
  /** How sentence-level tasks pool a text's tokens (default mean). */
  sentencePooling?: SentencePooling;
  /** How word-level tasks pool a word's subword tokens (default first). */
  wordPooling?: WordPooling;
}

/**
 * Extracts the per-layer features of one task's train and test examples: each sentence its
 * examples use is run once, through the encoder's extraction store, so sentences that other tasks
 * (or earlier runs) already extracted are read back, not run again; UD tasks share their
 * treebank's sentences, so probing every task costs one pass over each corpus.
 */
export async function embedTask(encoder: Encoder, task: ProbingTask, options: TaskFeatureOptions = {}): Promise<TaskFeatures> {
  const sentences: TaskSentence[] = [];
  const position = new Map<TaskSentence, number>();
  for (const split of [task.train, task.test]) {
    for (const ex of split.examples) {
      const sentence = split.sentences[ex.sentence];
      if (!position.has(sentence)) {
        position.set(sentence, sentences.length);
        sentences.push(sentence);
      }
    }
  }
  if (task.level === 'word') {
    // Only the examples' words are read back, not every word of their sentences: a capped task
    // samples a few words of each, and all the others would sit in memory for nothing.
    const wordOptions = { ...options, pooling: options.wordPooling ?? DEFAULTS.wordPooling };
    const words = sentences.map((s) => s.words);
    const offsets = wordOffsets(words);
    const rows = (split: Split) => Int32Array.from(split.examples, (ex) => offsets[position.get(split.sentences[ex.sentence])!] + (ex.word ?? 0));
    const [train, test] = await encoder.embedWordRows(words, [rows(task.train), rows(task.test)], wordOptions);
    return { train, test };
  }
  const vectors: LayerStack = await encoder.embed(sentences.map((s) => s.text), { ...options, pooling: options.sentencePooling ?? DEFAULTS.sentencePooling });
  const rows = (split: Split) => Int32Array.from(split.examples, (ex) => position.get(split.sentences[ex.sentence])!);
  return { train: vectors.select(rows(task.train)), test: vectors.select(rows(task.test)) };
}
