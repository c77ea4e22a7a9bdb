import type { ProbingTask, Split } from '../tasks/types.js';
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

async function splitFeatures(encoder: Encoder, task: ProbingTask, split: Split, options: TaskFeatureOptions): Promise<{ matrices: LayerMatrices; layers: number[] }> {
  const pooling = options.pooling ?? 'mean';
  if (task.level === 'word') {
    const wordPooling = (WORD_POOLINGS.includes(pooling) ? pooling : 'first') as WordPooling;
    const words = await encoder.embedWords(split.sentences.map((s) => s.words), { ...options, pooling: wordPooling });
    const rows = Int32Array.from(split.examples, (ex) => words.sentenceOffsets[ex.sentence] + ex.word!);
    return { matrices: pickRows(words, rows), layers: words.layers };
  }
  const sentencePooling = (SENTENCE_POOLINGS.includes(pooling) ? pooling : 'mean') as Pooling;
  const pooled = await encoder.embed(split.sentences.map((s) => s.text), { ...options, pooling: sentencePooling });
  return { matrices: pickRows(pooled, Int32Array.from(split.examples, (ex) => ex.sentence)), layers: pooled.layers };
}

/** Extracts (through the cache) the per-layer features of a task's train and test examples. */
export async function embedTask(encoder: Encoder, task: ProbingTask, options: TaskFeatureOptions = {}): Promise<TaskFeatures> {
  const train = await splitFeatures(encoder, task, task.train, options);
  const test = await splitFeatures(encoder, task, task.test, options);
  return { train: train.matrices, test: test.matrices, layers: train.layers };
}
