import type { LayerStack } from '../core/activations.js';
import { DEFAULTS, type SentencePooling, type WordPooling } from '../core/config.js';
import type { Encoder, ExtractOptions } from '../encoder/encoder.js';
import type { ProbingTask, Split, TaskLevel, TaskSentence } from '../tasks/types.js';

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

/** One extraction for every task of a level: each sentence is run once, whichever tasks use it. */
interface LevelFeatures {
  vectors: LayerStack;
  /** Row of a sentence's vector (sentence level) or of its first word (word level). */
  firstRow: Map<TaskSentence, number>;
}

/**
 * Features for many tasks from one extraction per level (word, sentence): the sentences the
 * tasks' examples use, each run once — UD tasks share their treebank's sentences, so probing
 * every task costs one pass over each corpus. Extraction goes through the encoder's on-disk cache.
 */
export class TaskFeatureSource {
  private readonly levels = new Map<TaskLevel, Promise<LevelFeatures>>();

  constructor(
    private readonly encoder: Encoder,
    private readonly tasks: readonly ProbingTask[],
    private readonly options: TaskFeatureOptions = {},
  ) {}

  private level(level: TaskLevel): Promise<LevelFeatures> {
    let features = this.levels.get(level);
    if (!features) {
      features = this.extract(level);
      this.levels.set(level, features);
    }
    return features;
  }

  private async extract(level: TaskLevel): Promise<LevelFeatures> {
    const union: TaskSentence[] = [];
    const seen = new Set<TaskSentence>();
    for (const task of this.tasks.filter((t) => t.level === level)) {
      for (const split of [task.train, task.test]) {
        for (const ex of split.examples) {
          const sentence = split.sentences[ex.sentence];
          if (!seen.has(sentence)) {
            seen.add(sentence);
            union.push(sentence);
          }
        }
      }
    }
    const firstRow = new Map<TaskSentence, number>();
    if (level === 'word') {
      const words = await this.encoder.embedWords(union.map((s) => s.words), { ...this.options, pooling: this.options.wordPooling ?? DEFAULTS.wordPooling });
      union.forEach((s, i) => firstRow.set(s, words.sentenceOffsets[i]));
      return { vectors: words, firstRow };
    }
    const pooled = await this.encoder.embed(union.map((s) => s.text), { ...this.options, pooling: this.options.sentencePooling ?? DEFAULTS.sentencePooling });
    union.forEach((s, i) => firstRow.set(s, i));
    return { vectors: pooled, firstRow };
  }

  /** Features of one of the source's tasks, rows aligned with its examples. */
  async features(task: ProbingTask): Promise<TaskFeatures> {
    if (!this.tasks.includes(task)) throw new Error(`task "${task.name}" is not one of this source's tasks; create the source with it`);
    const { vectors, firstRow } = await this.level(task.level);
    const rows = (split: Split) => Int32Array.from(split.examples, (ex) => firstRow.get(split.sentences[ex.sentence])! + (ex.word ?? 0));
    return { train: vectors.select(rows(task.train)), test: vectors.select(rows(task.test)) };
  }
}

/** Extracts (through the cache) the per-layer features of one task's train and test examples. */
export async function embedTask(encoder: Encoder, task: ProbingTask, options: TaskFeatureOptions = {}): Promise<TaskFeatures> {
  return new TaskFeatureSource(encoder, [task], options).features(task);
}
