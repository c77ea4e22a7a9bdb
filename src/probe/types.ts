export type ProbeKind = 'linear' | 'mlp';

/** Metrics written to the long-format results (one row per task, layer, probe, seed, metric). */
export type Metric =
  | 'accuracy'
  | 'macro_f1'
  | 'majority_accuracy'
  | 'control_accuracy'
  | 'selectivity'
  | 'mdl_bits'
  | 'mdl_compression';

export interface ResultRow {
  task: string;
  layer: number; // 0 = embeddings output
  probe: ProbeKind;
  seed: number;
  metric: Metric;
  value: number;
}

export interface TaskSummary {
  task: string;
  best_layer: number;
  best_accuracy: number;
  expected_layer: number;
  selectivity: number; // at the best layer; NaN without a control task
  mdl_kbits: number; // at the best layer; NaN without MDL
}
