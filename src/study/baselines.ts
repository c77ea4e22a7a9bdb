import { createProbe } from '../probe/create.js';
import { initBackend } from '../probe/backend.js';
import { accuracy, majorityLabel } from '../probe/metrics.js';
import type { Matrix } from '../core/activations.js';
import type { ProbingTask, Split } from '../tasks/types.js';

/**
 * Baselines a probe's accuracy must be read against: what the labels, the sentence length, the
 * words themselves (bag of words) or the word type alone (lexical) already give, with no
 * encoder. Each returns predictions aligned with the task's test examples, and their accuracy.
 * Every rule is fitted on the train split only.
 */
export interface BaselineResult {
  name: 'majority' | 'length' | 'bow' | 'lexical';
  predictions: Int32Array;
  accuracy: number;
}

const labelsOf = (split: Split) => Int32Array.from(split.examples, (ex) => ex.label);

function result(name: BaselineResult['name'], task: ProbingTask, predictions: Int32Array): BaselineResult {
  return { name, predictions, accuracy: accuracy(predictions, labelsOf(task.test)) };
}

function requireLevel(task: ProbingTask, level: ProbingTask['level'], baseline: string): void {
  if (task.level !== level) throw new Error(`the ${baseline} baseline is for ${level}-level tasks; ${task.name} is ${task.level}-level`);
}

/** Always the most frequent training label (lowest label index on ties). */
export function majorityBaseline(task: ProbingTask): BaselineResult {
  const label = majorityLabel(labelsOf(task.train), task.labels.length);
  return result('majority', task, new Int32Array(task.test.examples.length).fill(label));
}

/**
 * The most frequent training label among examples that share a key (ties: lowest label index);
 * keys never seen in training get the overall majority label.
 */
function mostFrequentByKey(task: ProbingTask, key: (split: Split, i: number) => string | number): Int32Array {
  const k = task.labels.length;
  const counts = new Map<string | number, Float64Array>();
  task.train.examples.forEach((ex, i) => {
    const id = key(task.train, i);
    let c = counts.get(id);
    if (!c) counts.set(id, (c = new Float64Array(k)));
    c[ex.label]++;
  });
  const fallback = majorityLabel(labelsOf(task.train), k);
  const best = new Map([...counts].map(([id, c]) => [id, c.indexOf(Math.max(...c))]));
  return Int32Array.from(task.test.examples, (_, i) => best.get(key(task.test, i)) ?? fallback);
}

const sentenceLength = (split: Split, i: number) => split.sentences[split.examples[i].sentence].words.length;

/**
 * Sentence tasks: the most frequent training label among sentences of the same length in words
 * (ties: lowest label index; lengths unseen in train: the majority label). It is the best any
 * classifier of length alone can do on the training data, so it bounds what length explains.
 */
export function lengthBaseline(task: ProbingTask): BaselineResult {
  requireLevel(task, 'sentence', 'length');
  return result('length', task, mostFrequentByKey(task, sentenceLength));
}

/** The lower-cased form of the word a word-level example is about: its type. */
export const wordType = (split: Split, i: number): string => {
  const ex = split.examples[i];
  return split.sentences[ex.sentence].words[ex.word!].toLowerCase();
};

/**
 * Word tasks: the most frequent training label of the word's lower-cased type (ties: lowest
 * label index); types unseen in train get the majority label. What memorising types gives.
 */
export function lexicalBaseline(task: ProbingTask): BaselineResult {
  requireLevel(task, 'word', 'lexical');
  return result('lexical', task, mostFrequentByKey(task, wordType));
}

/** Word tasks: for each test example, whether its lower-cased word type occurs in the train split (1) or not (0). */
export function seenInTraining(task: ProbingTask): Uint8Array {
  requireLevel(task, 'word', 'seen/unseen');
  const seen = new Set(task.train.examples.map((_, i) => wordType(task.train, i)));
  return Uint8Array.from(task.test.examples, (_, i) => (seen.has(wordType(task.test, i)) ? 1 : 0));
}

export const DEFAULT_BOW_VOCABULARY = 2000;

export interface BagOfWords {
  vocabulary: string[]; // most frequent lower-cased train word types (count descending, then code-unit order)
  train: Matrix;
  test: Matrix;
}

/**
 * Bag-of-words features: counts of the `size` most frequent lower-cased train word types in each
 * example's sentence, each row scaled to unit L2 norm (rows with none of them stay zero), so
 * long sentences do not get larger inputs.
 */
export function bagOfWords(task: ProbingTask, size = DEFAULT_BOW_VOCABULARY): BagOfWords {
  requireLevel(task, 'sentence', 'bag-of-words');
  const wordsOf = (split: Split, i: number) => split.sentences[split.examples[i].sentence].words.map((w) => w.toLowerCase());
  const frequency = new Map<string, number>();
  task.train.examples.forEach((_, i) => wordsOf(task.train, i).forEach((w) => frequency.set(w, (frequency.get(w) ?? 0) + 1)));
  const vocabulary = [...frequency]
    .sort(([a, na], [b, nb]) => nb - na || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, size)
    .map(([w]) => w);
  const column = new Map(vocabulary.map((w, c) => [w, c]));
  const features = (split: Split): Matrix => {
    const cols = vocabulary.length;
    const data = new Float32Array(split.examples.length * cols);
    split.examples.forEach((_, i) => {
      const row = data.subarray(i * cols, (i + 1) * cols);
      for (const w of wordsOf(split, i)) {
        const c = column.get(w);
        if (c !== undefined) row[c]++;
      }
      const norm = Math.hypot(...row);
      if (norm > 0) for (let c = 0; c < cols; c++) row[c] /= norm;
    });
    return { data, rows: split.examples.length, cols };
  };
  return { vocabulary, train: features(task.train), test: features(task.test) };
}

export interface BowOptions {
  vocabulary?: number; // default DEFAULT_BOW_VOCABULARY
  seed?: number; // the probe's validation split for λ (default 0)
}

/**
 * Sentence tasks: the package's linear probe (softmax regression, src/probe/linear.ts) on
 * bag-of-words features (see bagOfWords). λ is chosen on a seeded validation split of the train
 * split, never on test, as for every probe. Also returns the λ chosen.
 */
export async function bowBaseline(task: ProbingTask, options: BowOptions = {}): Promise<BaselineResult & { l2: number }> {
  const { train, test } = bagOfWords(task, options.vocabulary);
  await initBackend();
  const probe = createProbe({ kind: 'linear', seed: options.seed ?? 0 }).fit(train, labelsOf(task.train), task.labels.length);
  return { ...result('bow', task, probe.predict(test)), l2: probe.fitInfo!.l2 };
}

/**
 * Every baseline that applies to a task: majority; sentence tasks length and bag of words; word
 * tasks lexical. Each is fitted on the whole train split (at least as much data as the probes
 * see), so a probe that beats them beats them fairly.
 */
export async function taskBaselines(task: ProbingTask): Promise<BaselineResult[]> {
  const majority = majorityBaseline(task);
  if (task.level === 'word') return [majority, lexicalBaseline(task)];
  return [majority, lengthBaseline(task), await bowBaseline(task)];
}
