import type { ProbingTask, Split, TaskLevel, TaskSentence } from '../tasks/types.js';
import type { Encoder, ExtractOptions } from './encoder.js';
import type { Pooling, WordPooling } from './pool.js';
import type { LayerMatrices } from './types.js';

/** Features for a probe: row i of `train` belongs to `task.train.examples[i]`, likewise for test. */
export interface TaskFeatures {
  train: LayerMatrices;
  test: LayerMatrices;
  /** Which hidden state each matrix is. */
  layers: number[];
}

export interface TaskFeatureOptions extends Omit<ExtractOptions, 'onProgress'> {
  /** Sentence tasks pool tokens with `cls`/`mean`/`max`, word tasks subwords with `first`/`mean`/`last`; `mean` serves both. */
  pooling?: Pooling | WordPooling;
  onProgress?: ExtractOptions['onProgress'];
}

const SENTENCE_POOLINGS: readonly string[] = ['cls', 'mean', 'max'];
const WORD_POOLINGS: readonly string[] = ['first', 'mean', 'last'];

/** Rows of `source` picked in `rows` order, for every layer. */
function pickRows(source: LayerMatrices, rows: Int32Array): LayerMatrices {
  const { dim } = source;
  const hiddenStates = source.hiddenStates.map((m) => {
    const out = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => out.set(m.subarray(r * dim, (r + 1) * dim), i * dim));
    return out;
  });
  return { hiddenStates, rows: rows.length, dim };
}

/** One extraction for every task of a level: each sentence is run once, whichever tasks use it. */
interface LevelFeatures {
  matrices: LayerMatrices;
  layers: number[];
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
    const pooling = this.options.pooling ?? 'mean';
    const firstRow = new Map<TaskSentence, number>();
    if (level === 'word') {
      const wordPooling = (WORD_POOLINGS.includes(pooling) ? pooling : 'first') as WordPooling;
      const words = await this.encoder.embedWords(union.map((s) => s.words), { ...this.options, pooling: wordPooling });
      union.forEach((s, i) => firstRow.set(s, words.sentenceOffsets[i]));
      return { matrices: words, layers: words.layers, firstRow };
    }
    const sentencePooling = (SENTENCE_POOLINGS.includes(pooling) ? pooling : 'mean') as Pooling;
    const pooled = await this.encoder.embed(union.map((s) => s.text), { ...this.options, pooling: sentencePooling });
    union.forEach((s, i) => firstRow.set(s, i));
    return { matrices: pooled, layers: pooled.layers, firstRow };
  }

  /** Features of one of the source's tasks, rows aligned with its examples. */
  async features(task: ProbingTask): Promise<TaskFeatures> {
    if (!this.tasks.includes(task)) throw new Error(`task "${task.name}" is not one of this source's tasks; create the source with it`);
    const { matrices, layers, firstRow } = await this.level(task.level);
    const rows = (split: Split) => Int32Array.from(split.examples, (ex) => firstRow.get(split.sentences[ex.sentence])! + (ex.word ?? 0));
    return { train: pickRows(matrices, rows(task.train)), test: pickRows(matrices, rows(task.test)), layers };
  }
}

/** Extracts (through the cache) the per-layer features of one task's train and test examples. */
export async function embedTask(encoder: Encoder, task: ProbingTask, options: TaskFeatureOptions = {}): Promise<TaskFeatures> {
  return new TaskFeatureSource(encoder, [task], options).features(task);
}
