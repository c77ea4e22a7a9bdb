import { Random } from '../core/random.js';

/**
 * Bootstrap confidence intervals for test accuracy, resampling test *sentences*: the words of one
 * sentence are not independent draws (they share a context and an annotator's decisions), so
 * all examples of a sentence are resampled together (a cluster bootstrap). For sentence tasks
 * each example is its own cluster, and this is the ordinary bootstrap.
 *
 * Percentile intervals as in Efron & Tibshirani (1993), "An Introduction to the Bootstrap",
 * ch. 13; the paired test of two predictors on the same examples as used for NLP by
 * Berg-Kirkpatrick, Burkett & Klein (2012), "An Empirical Investigation of Statistical
 * Significance in NLP" (EMNLP), resampling the same clusters for both predictors.
 */

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_LEVEL = 0.95;

export interface BootstrapOptions {
  resamples?: number; // B, default 1000
  seed?: number; // for clusterResamples, default 0
  level?: number; // interval coverage, default 0.95
  /** The resamples themselves (cluster indices, one array per resample), instead of drawing them: to reproduce a run elsewhere. */
  indices?: readonly Int32Array[];
}

export interface AccuracyInterval {
  accuracy: number; // on the test examples as they are
  low: number;
  high: number;
  level: number;
  resamples: number;
}

export interface PairedDifference {
  difference: number; // accuracy(a) − accuracy(b) on the test examples as they are
  low: number;
  high: number;
  level: number;
  p: number; // two-sided: 2 × the share of resamples whose difference does not have the observed sign, at most 1
  resamples: number;
}

/**
 * B resamples of `clusterCount` clusters drawn with replacement: resample b is
 * `Random(seed)`'s draws b·C … b·C + C − 1 of `int(C)` (mulberry32, src/random.ts), so another
 * implementation can regenerate the exact indices.
 */
export function clusterResamples(clusterCount: number, resamples = DEFAULT_RESAMPLES, seed = 0): Int32Array[] {
  const rng = new Random(seed);
  const draws = Array.from({ length: resamples }, () => Int32Array.from({ length: clusterCount }, () => rng.int(clusterCount)));
  drawnHere.add(draws);
  return draws;
}

/** Resamples made by clusterResamples: valid by construction, so not checked again on every use. */
const drawnHere = new WeakSet<readonly Int32Array[]>();

/**
 * Each seed's resamples of `clusters`, drawn once and handed to every interval and paired test
 * on those clusters with that seed (the draws each call would make itself: drawing them costs
 * more than scoring, and a task makes a hundred such calls).
 */
export function resamplesBySeed(clusters: ArrayLike<number>, resamples = DEFAULT_RESAMPLES): (seed: number) => BootstrapOptions {
  const { count } = denseClusters(clusters);
  const bySeed = new Map<number, Int32Array[]>();
  return (seed) => {
    let indices = bySeed.get(seed);
    if (!indices) bySeed.set(seed, (indices = clusterResamples(count, resamples, seed)));
    return { indices };
  };
}

/** Cluster ids as dense indices 0 … C − 1 in order of first appearance. */
function denseClusters(clusters: ArrayLike<number>): { index: Int32Array; count: number } {
  const ids = new Map<number, number>();
  const index = Int32Array.from({ length: clusters.length }, (_, i) => {
    let id = ids.get(clusters[i]);
    if (id === undefined) ids.set(clusters[i], (id = ids.size));
    return id;
  });
  return { index, count: ids.size };
}

/** Per cluster: examples, and correct answers of each predictor. */
function clusterTotals(gold: ArrayLike<number>, predictions: readonly ArrayLike<number>[], clusters: ArrayLike<number>) {
  for (const p of predictions) if (p.length !== gold.length) throw new Error(`${p.length} predictions for ${gold.length} gold labels`);
  if (clusters.length !== gold.length) throw new Error(`${clusters.length} cluster ids for ${gold.length} examples`);
  if (gold.length === 0) throw new Error('no test examples to bootstrap');
  const { index, count } = denseClusters(clusters);
  const size = new Float64Array(count);
  const correct = predictions.map(() => new Float64Array(count));
  for (let i = 0; i < gold.length; i++) {
    size[index[i]]++;
    predictions.forEach((p, k) => {
      if (p[i] === gold[i]) correct[k][index[i]]++;
    });
  }
  return { size, correct, count };
}

/**
 * Accuracy of each predictor on one resample of clusters (examples of repeated clusters count
 * again), into `out`: one tight loop per predictor over the drawn clusters.
 */
function resampledAccuracies(size: Float64Array, correct: readonly Float64Array[], draw: Int32Array, out: Float64Array): Float64Array {
  let n = 0;
  for (let j = 0; j < draw.length; j++) n += size[draw[j]];
  for (let k = 0; k < correct.length; k++) {
    const right = correct[k];
    let sum = 0;
    for (let j = 0; j < draw.length; j++) sum += right[draw[j]];
    out[k] = sum / n;
  }
  return out;
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (numpy's default `percentile`). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

function resamplesFor(count: number, options: BootstrapOptions): readonly Int32Array[] {
  const indices = options.indices ?? clusterResamples(count, options.resamples ?? DEFAULT_RESAMPLES, options.seed ?? 0);
  if (indices.length === 0) throw new Error('the bootstrap needs at least one resample');
  if (drawnHere.has(indices) && indices[0].length === count) return indices;
  for (const draw of indices) {
    let valid = draw.length === count;
    for (let j = 0; valid && j < draw.length; j++) valid = draw[j] >= 0 && draw[j] < count;
    if (!valid) throw new Error(`each resample must hold ${count} cluster indices in 0…${count - 1}`);
  }
  return indices;
}

function interval(values: Float64Array, level: number): { low: number; high: number } {
  const sorted = values.sort();
  return { low: quantileSorted(sorted, (1 - level) / 2), high: quantileSorted(sorted, (1 + level) / 2) };
}

/**
 * Percentile bootstrap interval of accuracy. `clusters[i]` names example i's sentence (any
 * integer id; for sentence tasks pass distinct ids, e.g. 0 … n − 1).
 */
export function bootstrapAccuracy(gold: ArrayLike<number>, predicted: ArrayLike<number>, clusters: ArrayLike<number>, options: BootstrapOptions = {}): AccuracyInterval {
  const level = options.level ?? DEFAULT_LEVEL;
  const { size, correct, count } = clusterTotals(gold, [predicted], clusters);
  const indices = resamplesFor(count, options);
  const scratch = new Float64Array(1);
  const values = Float64Array.from(indices, (draw) => resampledAccuracies(size, correct, draw, scratch)[0]);
  const accuracy = correct[0].reduce((a, b) => a + b, 0) / gold.length;
  return { accuracy, ...interval(values, level), level, resamples: indices.length };
}

/**
 * Paired bootstrap of accuracy(a) − accuracy(b) on the same examples: both predictors are
 * scored on the same resampled clusters, so what they share cancels. Interval by percentiles;
 * p-value two-sided, 2 × the share of resamples on the other side of 0 from the observed
 * difference (0 included), at most 1 (p = 1 when the observed difference is 0).
 */
export function pairedBootstrap(gold: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, clusters: ArrayLike<number>, options: BootstrapOptions = {}): PairedDifference {
  const level = options.level ?? DEFAULT_LEVEL;
  const { size, correct, count } = clusterTotals(gold, [a, b], clusters);
  const indices = resamplesFor(count, options);
  const scratch = new Float64Array(2);
  const values = Float64Array.from(indices, (draw) => {
    const accuracies = resampledAccuracies(size, correct, draw, scratch);
    return accuracies[0] - accuracies[1];
  });
  const sum = (c: Float64Array) => c.reduce((x, y) => x + y, 0);
  const difference = (sum(correct[0]) - sum(correct[1])) / gold.length;
  const flipped = values.filter((d) => (difference > 0 ? d <= 0 : d >= 0)).length;
  const p = difference === 0 ? 1 : Math.min(1, (2 * flipped) / values.length);
  return { difference, ...interval(values, level), level, p, resamples: indices.length };
}
