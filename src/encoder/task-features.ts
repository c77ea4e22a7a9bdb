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

/**
 * The sentences to run: all of the split's when examples use most of them (so tasks sharing a
 * treebank share one cache entry), else only those the examples use (a subsampled task).
 */
function sentencesToRun(split: Split): { indices: Int32Array; position: Int32Array } {
  const position = new Int32Array(split.sentences.length).fill(-1);
  const used: number[] = [];
  for (const ex of split.examples) if (position[ex.sentence] < 0) position[ex.sentence] = used.push(ex.sentence) - 1;
  if (used.length * 2 >= split.sentences.length) return { indices: Int32Array.from(split.sentences, (_, i) => i), position: Int32Array.from(split.sentences, (_, i) => i) };
  return { indices: Int32Array.from(used), position };
}

async function splitFeatures(encoder: Encoder, task: ProbingTask, split: Split, options: TaskFeatureOptions): Promise<{ matrices: LayerMatrices; layers: number[] }> {
  const pooling = options.pooling ?? 'mean';
  const { indices, position } = sentencesToRun(split);
  const sentences = Array.from(indices, (i) => split.sentences[i]);
  if (task.level === 'word') {
    const wordPooling = (WORD_POOLINGS.includes(pooling) ? pooling : 'first') as WordPooling;
    const words = await encoder.embedWords(sentences.map((s) => s.words), { ...options, pooling: wordPooling });
    const rows = Int32Array.from(split.examples, (ex) => words.sentenceOffsets[position[ex.sentence]] + ex.word!);
    return { matrices: pickRows(words, rows), layers: words.layers };
  }
  const sentencePooling = (SENTENCE_POOLINGS.includes(pooling) ? pooling : 'mean') as Pooling;
  const pooled = await encoder.embed(sentences.map((s) => s.text), { ...options, pooling: sentencePooling });
  return { matrices: pickRows(pooled, Int32Array.from(split.examples, (ex) => position[ex.sentence])), layers: pooled.layers };
}

/** Extracts (through the cache) the per-layer features of a task's train and test examples. */
export async function embedTask(encoder: Encoder, task: ProbingTask, options: TaskFeatureOptions = {}): Promise<TaskFeatures> {
  const train = await splitFeatures(encoder, task, task.train, options);
  const test = await splitFeatures(encoder, task, task.test, options);
  return { train: train.matrices, test: test.matrices, layers: train.layers };
}
