import type { LayerMatrices } from '../encoder/types.js';
import type { ProgressCallback } from '../io/progress.js';
import { controlTask } from '../tasks/control.js';
import type { ProbingTask, Split } from '../tasks/types.js';
import { initBackend } from './backend.js';
import { createProbe } from './create.js';
import { layerMatrix } from './matrix.js';
import { onlineCodelength } from './mdl.js';
import { accuracy, macroF1, majorityAccuracy } from './metrics.js';
import { summarizeTask } from './summary.js';
import type { Labels, Matrix, Metric, Probe, ProbeKind, ProbeOptions, ResultRow, TaskSummary } from './types.js';

/**
 * Features for one task, rows aligned with the split's examples; `layers[i]` names the hidden
 * state of matrix i (default: i). The encoder's `TaskFeatures` is one of these.
 */
export interface ProbeFeatures {
  train: LayerMatrices;
  test: LayerMatrices;
  layers?: readonly number[];
}

export interface ProbeLayersOptions {
  probe?: ProbeKind; // default linear
  seeds?: number | readonly number[]; // a count (seeds 0…N−1) or the seeds themselves; default 3
  control?: boolean; // also fit the control task (Hewitt & Liang 2019): control_accuracy, selectivity
  mdl?: boolean; // also measure the online codelength (Voita & Titov 2020): mdl_bits, mdl_compression
  probeOptions?: Omit<ProbeOptions, 'kind' | 'seed'>; // λ grid, epochs, …
  onProgress?: ProgressCallback;
}

export interface ProbeLayersResult {
  rows: ResultRow[];
  summary: TaskSummary;
}

/** One probe fitted on a layer and scored on the test rows. */
export interface LayerScore {
  probe: Probe;
  accuracy: number;
  macroF1: number;
  fitSeconds: number;
}

/** Fits one probe on (train, yTrain) and scores it on (test, yTest). */
export function fitAndScore(train: Matrix, yTrain: Labels, test: Matrix, yTest: Labels, numClasses: number, options: ProbeOptions): LayerScore {
  const probe = createProbe(options).fit(train, yTrain, numClasses);
  const predicted = probe.predict(test);
  return { probe, accuracy: accuracy(predicted, yTest), macroF1: macroF1(predicted, yTest, numClasses), fitSeconds: probe.fitInfo!.seconds };
}

/** Seeds from a count or a list. */
export function seedList(seeds: number | readonly number[] = 3): number[] {
  if (typeof seeds !== 'number') return [...seeds];
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`seeds must be a positive integer, got ${seeds}`);
  return Array.from({ length: seeds }, (_, i) => i);
}

/**
 * The probing protocol for one task, every layer × seed: accuracy and macro-F1 on the test split
 * and the majority baseline; with `control`, control-task accuracy and selectivity; with `mdl`, the
 * online codelength and compression. Returns long-format rows and the task's summary (best / expected layer).
 */
export async function probeLayers(features: ProbeFeatures, task: ProbingTask, options: ProbeLayersOptions = {}): Promise<ProbeLayersResult> {
  await initBackend();
  checkAligned(features, task);
  const kind = options.probe ?? 'linear';
  const seeds = seedList(options.seeds);
  const layers = features.layers ?? features.train.hiddenStates.map((_, l) => l);
  const numClasses = task.labels.length;
  const labels = (split: Split) => Int32Array.from(split.examples, (ex) => ex.label);
  const yTrain = labels(task.train);
  const yTest = labels(task.test);
  const controls = options.control ? seeds.map((seed) => controlTask(task, seed)) : undefined;
  const majority = majorityAccuracy(yTrain, yTest, numClasses);
  const rows: ResultRow[] = [];
  const total = layers.length * seeds.length;
  let done = 0;
  options.onProgress?.({ done, total, label: task.name });
  for (const [index, layer] of layers.entries()) {
    const train = layerMatrix(features.train, index);
    const test = layerMatrix(features.test, index);
    for (const [s, seed] of seeds.entries()) {
      const add = (metric: Metric, value: number) => rows.push({ task: task.name, layer, probe: kind, seed, metric, value });
      const probeOptions: ProbeOptions = { ...options.probeOptions, kind, seed };
      const main = fitAndScore(train, yTrain, test, yTest, numClasses, probeOptions);
      add('accuracy', main.accuracy);
      add('macro_f1', main.macroF1);
      add('majority_accuracy', majority);
      if (controls) {
        const control = controls[s];
        const scored = fitAndScore(train, labels(control.train), test, labels(control.test), numClasses, probeOptions);
        add('control_accuracy', scored.accuracy);
        add('selectivity', main.accuracy - scored.accuracy);
      }
      if (options.mdl) {
        // The codelength reuses the main fit's λ (and epochs for the MLP) rather than re-tuning per block.
        const { l2, iterations } = main.probe.fitInfo!;
        const code = onlineCodelength(train, yTrain, numClasses, { ...probeOptions, l2, ...(kind === 'mlp' ? { maxIter: iterations } : {}) }, seed);
        add('mdl_bits', code.bits);
        add('mdl_compression', code.compression);
      }
      options.onProgress?.({ done: ++done, total, label: `${task.name} layer ${layer} seed ${seed}` });
      await new Promise((resolve) => setImmediate(resolve)); // let progress output and other work through
    }
  }
  return { rows, summary: summarizeTask(rows, task.name, kind) };
}

function checkAligned(features: ProbeFeatures, task: ProbingTask): void {
  for (const split of ['train', 'test'] as const) {
    const m = features[split];
    const expected = task[split].examples.length;
    if (m.rows !== expected) {
      throw new Error(`${split} features have ${m.rows} rows but task "${task.name}" has ${expected} ${split} examples; extract features for exactly these examples`);
    }
  }
  const count = features.train.hiddenStates.length;
  if (features.layers && features.layers.length !== count) throw new Error(`features name ${features.layers.length} layers but hold ${count} matrices`);
  if (count !== features.test.hiddenStates.length || features.train.dim !== features.test.dim) {
    throw new Error(`train and test features differ in shape (${features.train.hiddenStates.length}×${features.train.dim} vs ${features.test.hiddenStates.length}×${features.test.dim}); extract both with the same encoder`);
  }
}
