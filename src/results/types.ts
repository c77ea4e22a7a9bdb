/** The probe family a result row was measured with (`probe` column). */
export type ProbeName = string;

/** Metrics written to the long-format results (one row per task, layer, probe, seed, metric). */
export type Metric =
  | 'accuracy'
  | 'macro_f1'
  | 'majority_accuracy'
  | 'control_accuracy'
  | 'selectivity'
  | 'mdl_bits'
  | 'mdl_compression';

export const METRICS: readonly Metric[] = ['accuracy', 'macro_f1', 'majority_accuracy', 'control_accuracy', 'selectivity', 'mdl_bits', 'mdl_compression'];

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
  best_layer: number;
  best_accuracy: number;
  expected_layer: number;
  selectivity: number; // at the best layer; NaN without a control task
  mdl_kbits: number; // at the best layer; NaN without MDL
  probe?: ProbeName; // which probe the numbers are for
}
