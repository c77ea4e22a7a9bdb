/** The probe family a result row was measured with (`probe` column). */
export type ProbeName = string;

/**
 * Metrics written to the long-format results (one row per task, layer, probe, seed, metric).
 * - `accuracy`, `macro_f1`: on the test split; `ci_low`/`ci_high`: 95% percentile bootstrap interval
 *   of that accuracy over test sentences (Efron & Tibshirani 1993; a cluster bootstrap for word tasks).
 * - `dev_accuracy`: on the dev part carved from the training split, where the best layer is chosen.
 * - `seen_accuracy`/`unseen_accuracy`: word tasks, test words whose type occurs / does not occur in training.
 * - `control_accuracy`, `selectivity` (= accuracy − control accuracy): Hewitt & Liang (2019).
 * - `mdl_bits`, `mdl_compression`: online codelength and uniform / online (Voita & Titov 2020).
 * - `l2`, `iterations`, `converged`: the task probe's final fit: its λ (chosen on a validation part
 *   of the training rows), its L-BFGS iterations (linear) or epochs (mlp), and 1 if it met its
 *   stopping rule before its limit, 0 if the limit stopped it (scikit-learn's ConvergenceWarning).
 * - `gain_over_previous`, `gain_over_emb` with `…_ci_low`, `…_ci_high`, `…_p`: accuracy of this layer
 *   minus the previous layer's / the embedding layer's, by a paired bootstrap over test sentences
 *   (Berg-Kirkpatrick et al. 2012), with its 95% interval and two-sided p-value.
 */
export const METRICS = [
  'accuracy', 'macro_f1', 'ci_low', 'ci_high', 'dev_accuracy', 'seen_accuracy', 'unseen_accuracy',
  'control_accuracy', 'selectivity', 'mdl_bits', 'mdl_compression', 'l2', 'iterations', 'converged',
  'gain_over_previous', 'gain_over_previous_ci_low', 'gain_over_previous_ci_high', 'gain_over_previous_p',
  'gain_over_emb', 'gain_over_emb_ci_low', 'gain_over_emb_ci_high', 'gain_over_emb_p',
] as const;
export type Metric = (typeof METRICS)[number];

/**
 * Baselines are rows of their own, `probe` naming the baseline and `layer` = -1 (they read no layer):
 * `majority` (most frequent training label); sentence tasks `length` (sentence length alone) and
 * `bow` (bag of words); word tasks `lexical` (most frequent training label of the word type).
 */
export const BASELINES = ['majority', 'length', 'bow', 'lexical'] as const;
export type Baseline = (typeof BASELINES)[number];
export const NO_LAYER = -1;

export function isBaseline(probe: string): probe is Baseline {
  return (BASELINES as readonly string[]).includes(probe);
}

/** One measured number: long format, like a tidy data frame. */
export interface ResultRow {
  task: string;
  layer: number; // 0 = embeddings output, k = encoder layer k
  probe: ProbeName;
  seed: number;
  metric: Metric;
  value: number;
}

/** What one task's results say, summarised over seeds (see summary.ts). */
export interface TaskSummary {
  task: string;
  best_layer: number; // by mean dev accuracy (the test set chooses nothing)
  best_accuracy: number; // mean test accuracy at the best layer
  best_ci_low: number; // mean over seeds of its bootstrap interval
  best_ci_high: number;
  best_gain_over_emb: number; // best layer − embedding layer, paired bootstrap, mean over seeds
  best_gain_over_emb_p: number; // the largest p-value over seeds (the most conservative)
  expected_layer: number;
  selectivity: number; // at the best layer; NaN without a control task
  mdl_kbits: number; // at the best layer; NaN without MDL
  probe?: ProbeName; // which probe the numbers are for
}

/** The summary CSV's and frame's columns, in order. */
export const SUMMARY_COLUMNS = ['task', 'probe', 'best_layer', 'best_accuracy', 'best_ci_low', 'best_ci_high', 'best_gain_over_emb', 'best_gain_over_emb_p', 'expected_layer', 'selectivity', 'mdl_kbits'] as const satisfies ReadonlyArray<keyof TaskSummary>;

/** One prediction of one probe, for `--predictions` (e.g. to recompute any statistic elsewhere). */
export interface PredictionRow {
  task: string;
  layer: number;
  probe: ProbeName;
  seed: number;
  split: 'dev' | 'test';
  example_id: string; // as `layerwise tasks --task T --examples` names it: `train/12`, `test/3`
  sentence_id: string;
  gold: string;
  pred: string;
}
