import type { ProgressCallback } from '../core/progress.js';
import { checkOptionalInteger } from '../core/validate.js';
import { majorityAccuracy } from '../probe/metrics.js';
import type { ProbeKind, ProbeOptions } from '../probe/types.js';
import { summarizeTask } from '../results/summary.js';
import type { Metric, ResultRow, TaskSummary } from '../results/types.js';
import { controlTask } from '../tasks/control.js';
import type { ProbingTask, Split } from '../tasks/types.js';
import type { TaskFeatures } from './features.js';
import { seedList } from './fit.js';
import type { UnitOutput } from './unit.js';
import { FitWorkers } from './workers.js';

export interface ProbeLayersOptions {
  probe?: ProbeKind; // default linear
  seeds?: number | readonly number[]; // a count (seeds 0…N−1) or the seeds themselves; default 3
  control?: boolean; // also fit the control task (Hewitt & Liang 2019): control_accuracy, selectivity
  mdl?: boolean; // also measure the online codelength (Voita & Titov 2020): mdl_bits, mdl_compression
  probeOptions?: Omit<ProbeOptions, 'kind' | 'seed'>; // λ grid, epochs, …
  onProgress?: ProgressCallback;
  /** Worker threads fitting probes in parallel; default one per core (`LAYERWISE_WORKERS`). */
  workers?: number;
}

export interface ProbeLayersResult {
  rows: ResultRow[];
  summary: TaskSummary;
}

/**
 * The probing protocol for one task, every layer × seed: accuracy and macro-F1 on the test split
 * and the majority baseline; with `control`, control-task accuracy and selectivity; with `mdl`, the
 * online codelength and compression. Returns long-format rows and the task's summary (best / expected layer).
 */
export async function probeLayers(features: TaskFeatures, task: ProbingTask, options: ProbeLayersOptions = {}): Promise<ProbeLayersResult> {
  checkAligned(features, task);
  const kind = options.probe ?? 'linear';
  const seeds = seedList(options.seeds);
  checkOptionalInteger('workers', options.workers, 1);
  const layers = features.train.layers;
  const numClasses = task.labels.length;
  const labels = (split: Split) => Int32Array.from(split.examples, (ex) => ex.label);
  const yTrain = labels(task.train);
  const yTest = labels(task.test);
  const controls = options.control ? seeds.map((seed) => controlTask(task, seed)) : undefined;
  const majority = majorityAccuracy(yTrain, yTest, numClasses);
  const units = layers.flatMap((layer) => seeds.map((seed, s) => ({ layer, seed, s })));
  let done = 0;
  options.onProgress?.({ done, total: units.length, label: task.name });
  const pool = new FitWorkers(options.workers);
  let outputs: UnitOutput[];
  try {
    outputs = await Promise.all(units.map(async ({ layer, seed, s }) => {
      const output = await pool.run({
        train: features.train.layer(layer),
        test: features.test.layer(layer),
        yTrain,
        yTest,
        numClasses,
        probeOptions: { ...options.probeOptions, kind, seed },
        control: controls && { yTrain: labels(controls[s].train), yTest: labels(controls[s].test) },
        mdl: Boolean(options.mdl),
        seed,
      });
      options.onProgress?.({ done: ++done, total: units.length, label: `${task.name} layer ${layer} seed ${seed}` });
      return output;
    }));
  } finally {
    await pool.close();
  }
  const rows: ResultRow[] = [];
  units.forEach(({ layer, seed }, u) => {
    const out = outputs[u];
    const add = (metric: Metric, value: number) => rows.push({ task: task.name, layer, probe: kind, seed, metric, value });
    add('accuracy', out.accuracy);
    add('macro_f1', out.macroF1);
    add('majority_accuracy', majority);
    if (out.controlAccuracy !== undefined) {
      add('control_accuracy', out.controlAccuracy);
      add('selectivity', out.accuracy - out.controlAccuracy);
    }
    if (out.mdlBits !== undefined) {
      add('mdl_bits', out.mdlBits);
      add('mdl_compression', out.mdlCompression!);
    }
  });
  return { rows, summary: summarizeTask(rows, task.name, kind) };
}

function checkAligned(features: TaskFeatures, task: ProbingTask): void {
  for (const split of ['train', 'test'] as const) {
    const m = features[split];
    const expected = task[split].examples.length;
    if (m.rows !== expected) {
      throw new Error(`${split} features have ${m.rows} rows but task "${task.name}" has ${expected} ${split} examples; extract features for exactly these examples`);
    }
  }
  const { train, test } = features;
  if (train.layers.join() !== test.layers.join() || train.hiddenSize !== test.hiddenSize) {
    throw new Error(`train and test features differ in shape (layers ${train.layers.join(',')} × ${train.hiddenSize} vs ${test.layers.join(',')} × ${test.hiddenSize}); extract both with the same encoder`);
  }
}
