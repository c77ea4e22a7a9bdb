import type { ProgressCallback } from '../core/progress.js';
import { selectRows } from '../core/activations.js';
import { Random } from '../core/random.js';
import { accuracy, macroF1 } from '../probe/metrics.js';
import { checkOptionalInteger } from '../core/validate.js';
import type { ProbeKind, ProbeOptions } from '../probe/types.js';
import { bootstrapAccuracy, pairedBootstrap, resamplesBySeed } from '../results/bootstrap.js';
import { summarizeTask } from '../results/summary.js';
import { NO_LAYER, type Metric, type PredictionRow, type ResultRow, type TaskSummary } from '../results/types.js';
import { controlTask, hasControlTask } from '../tasks/control.js';
import type { ProbingTask, Split } from '../tasks/types.js';
import { taskBaselines, wordType } from './baselines.js';
import type { TaskFeatures } from './features.js';
import { seedList } from './fit.js';
import type { UnitInput, UnitOutput } from './unit.js';
import type { UnitJournal } from './journal.js';
import { FitWorkers } from './workers.js';

export interface ProbeLayersOptions {
  probe?: ProbeKind; // default linear
  seeds?: number | readonly number[]; // a count (seeds 0…N−1) or the seeds themselves; default 3
  control?: boolean; // also fit the control task (Hewitt & Liang 2019): control_accuracy, selectivity
  mdl?: boolean; // also measure the online codelength (Voita & Titov 2020): mdl_bits, mdl_compression
  probeOptions?: Omit<ProbeOptions, 'kind' | 'seed'>; // λ grid, epochs, …
  /** Share of the training sentences held out as the dev set the best layer is chosen on (default 0.1). */
  devFraction?: number;
  /** Bootstrap resamples for every interval and p-value (default 1000). */
  resamples?: number;
  /** Also return every dev and test prediction (for `--predictions`). */
  predictions?: boolean;
  onProgress?: ProgressCallback;
  /** Worker threads fitting probes in parallel; default one per core (`LAYERWISE_WORKERS`). */
  workers?: number;
  /** Fit workers shared with other tasks' probing (`probeTasks` passes one); default a pool of `workers` made and closed here. */
  pool?: FitWorkers;
  /** Units already finished (by a killed run with the same settings) are read from it; finished ones are added. */
  journal?: UnitJournal;
}

export interface ProbeLayersResult {
  rows: ResultRow[];
  summary: TaskSummary;
  /** Present when asked for with `predictions: true`. */
  predictions?: PredictionRow[];
}

/** The dev part of the training split: whole sentences (a seeded share), so no sentence is on both sides. */
export function carveDev(split: Split, fraction: number, seed = 0): { fit: Int32Array; dev: Int32Array } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`devFraction must be between 0 and 1, got ${fraction}`);
  const sentences = [...new Set(split.examples.map((ex) => ex.sentence))];
  const devSentences = new Set(new Random(seed).shuffle(sentences).slice(0, Math.max(1, Math.round(sentences.length * fraction))));
  const fit: number[] = [];
  const dev: number[] = [];
  split.examples.forEach((ex, i) => (devSentences.has(ex.sentence) ? dev : fit).push(i));
  if (fit.length === 0 || dev.length === 0) throw new Error(`the training split is too small to hold out a dev set (${split.examples.length} examples)`);
  return { fit: Int32Array.from(fit), dev: Int32Array.from(dev) };
}

/**
 * Cluster ids for a task split's examples, for the bootstrap: the sentence of each example. Word
 * examples of one sentence share it; sentence tasks have one example per sentence.
 */
export function sentenceClusters(split: Split): Int32Array {
  return Int32Array.from(split.examples, (ex) => ex.sentence);
}

/** One layer × seed of a task's protocol. */
export interface ProtocolUnit {
  layer: number;
  seed: number;
}

/** A task's protocol units and the inputs of each, built the same way for the lab and for benchmarks. */
export interface UnitPlan {
  units: ProtocolUnit[];
  layers: readonly number[];
  seeds: number[];
  numClasses: number;
  /** Training-split rows the probe is fitted on, and the dev rows held out from them. */
  fit: Int32Array;
  dev: Int32Array;
  yDev: Int32Array;
  yTest: Int32Array;
  /** Everything a worker needs for one unit (copies of the layer's rows: transferable). */
  input(unit: ProtocolUnit): UnitInput;
}

export function planUnits(features: TaskFeatures, task: ProbingTask, options: Pick<ProbeLayersOptions, 'probe' | 'seeds' | 'control' | 'mdl' | 'probeOptions' | 'devFraction'> = {}): UnitPlan {
  checkAligned(features, task);
  const kind = options.probe ?? 'linear';
  const seeds = seedList(options.seeds);
  const layers = features.train.layers;
  const numClasses = task.labels.length;
  const { fit, dev } = carveDev(task.train, options.devFraction ?? 0.1);
  const labelsOf = (split: Split, rows: ArrayLike<number>) => Int32Array.from(rows, (i) => split.examples[i].label);
  const testRows = Int32Array.from(task.test.examples, (_, i) => i);
  const yTrain = labelsOf(task.train, fit);
  const yDev = labelsOf(task.train, dev);
  // Each seed's control labels, made once and shared by that seed's units (every layer).
  const controls = options.control && hasControlTask(task)
    ? new Map(seeds.map((seed) => {
      const control = controlTask(task, seed);
      return [seed, { yTrain: labelsOf(control.train, fit), yTest: labelsOf(control.test, testRows) }];
    }))
    : undefined;
  const mdlClusters = options.mdl ? Int32Array.from(fit, (i) => task.train.examples[i].sentence) : undefined;
  const input = ({ layer, seed }: ProtocolUnit): UnitInput => {
    const train = features.train.layer(layer);
    return {
      train: selectRows(train, fit),
      yTrain,
      dev: selectRows(train, dev),
      yDev,
      test: features.test.layer(layer),
      numClasses,
      probeOptions: { ...options.probeOptions, kind, seed },
      control: controls?.get(seed),
      mdl: mdlClusters && { clusters: mdlClusters },
      seed,
    };
  };
  return {
    units: layers.flatMap((layer) => seeds.map((seed) => ({ layer, seed }))),
    layers, seeds, numClasses, fit, dev, yDev,
    yTest: labelsOf(task.test, testRows),
    input,
  };
}

/**
 * The probing protocol for one task, every layer × seed. The probe is fitted on the training split
 * minus a dev part (whole sentences), scored on dev (where the best layer is chosen) and on test:
 * accuracy and macro-F1 with a bootstrap interval over test sentences; seen/unseen word types for
 * word tasks; paired bootstrap gains over the previous layer and over the embeddings; with
 * `control`, control-task accuracy and selectivity (tasks that have a control task); with `mdl`,
 * the online codelength. Baselines (majority, length, bag of words, lexical) are rows of their own.
 */
export async function probeLayers(features: TaskFeatures, task: ProbingTask, options: ProbeLayersOptions = {}): Promise<ProbeLayersResult> {
  const kind = options.probe ?? 'linear';
  checkOptionalInteger('workers', options.workers, 1);
  checkOptionalInteger('resamples', options.resamples, 1);
  const resamples = options.resamples ?? 1000;
  const plan = planUnits(features, task, options);
  const { units, seeds, layers, fit, dev, yDev, yTest, numClasses } = plan;
  const testClusters = sentenceClusters(task.test);
  let done = 0;
  options.onProgress?.({ done, total: units.length, label: task.name });
  const pool = options.pool ?? new FitWorkers(options.workers);
  let outputs: UnitOutput[];
  try {
    outputs = await Promise.all(units.map(async (unit) => {
      const { layer, seed } = unit;
      const key = { task: task.name, probe: kind, layer, seed };
      const journaled = options.journal?.get(key);
      if (journaled) {
        options.onProgress?.({ done: ++done, total: units.length, label: `${task.name} layer ${layer} seed ${seed}` });
        return journaled;
      }
      const output = await pool.run(() => plan.input(unit));
      options.journal?.put(key, output);
      options.onProgress?.({ done: ++done, total: units.length, label: `${task.name} layer ${layer} seed ${seed}` });
      return output;
    }));
  } finally {
    if (!options.pool) await pool.close();
  }

  const rows: ResultRow[] = [];
  const add = (layer: number, probe: string, seed: number, metric: Metric, value: number) => rows.push({ task: task.name, layer, probe, seed, metric, value });
  // Seen = the word type occurs in the rows the probe was fitted on (the dev part excluded).
  const seen = task.level === 'word' ? new Set(Array.from(fit, (i) => wordType(task.train, i))) : undefined;
  const seenMask = seen && task.test.examples.map((_, i) => seen.has(wordType(task.test, i)));
  const subsetAccuracy = (predicted: Int32Array, keep: boolean) => {
    let right = 0;
    let n = 0;
    seenMask!.forEach((isSeen, i) => {
      if (isSeen !== keep) return;
      n++;
      if (predicted[i] === yTest[i]) right++;
    });
    return n > 0 ? right / n : NaN;
  };
  const resampled = resamplesBySeed(testClusters, resamples); // each seed's resampled test sentences, drawn once
  const predictionsOf = new Map<string, Int32Array>(); // `${seed}/${layer}` → test predictions
  units.forEach(({ layer, seed }, u) => {
    const out = outputs[u];
    predictionsOf.set(`${seed}/${layer}`, out.testPredictions);
    const interval = bootstrapAccuracy(yTest, out.testPredictions, testClusters, resampled(seed));
    add(layer, kind, seed, 'accuracy', interval.accuracy);
    add(layer, kind, seed, 'ci_low', interval.low);
    add(layer, kind, seed, 'ci_high', interval.high);
    add(layer, kind, seed, 'macro_f1', macroF1(out.testPredictions, yTest, numClasses));
    add(layer, kind, seed, 'dev_accuracy', accuracy(out.devPredictions, yDev));
    add(layer, kind, seed, 'l2', out.fit.l2);
    add(layer, kind, seed, 'iterations', out.fit.iterations);
    add(layer, kind, seed, 'converged', Number(out.fit.converged));
    if (seenMask) {
      add(layer, kind, seed, 'seen_accuracy', subsetAccuracy(out.testPredictions, true));
      add(layer, kind, seed, 'unseen_accuracy', subsetAccuracy(out.testPredictions, false));
    }
    if (out.controlAccuracy !== undefined) {
      add(layer, kind, seed, 'control_accuracy', out.controlAccuracy);
      add(layer, kind, seed, 'selectivity', interval.accuracy - out.controlAccuracy);
    }
    if (out.mdlBits !== undefined) {
      add(layer, kind, seed, 'mdl_bits', out.mdlBits);
      add(layer, kind, seed, 'mdl_compression', out.mdlCompression!);
    }
  });
  // Paired bootstrap on the same resampled sentences: does a layer beat the one below / the embeddings?
  for (const seed of seeds) {
    layers.forEach((layer, k) => {
      if (k === 0) return;
      const here = predictionsOf.get(`${seed}/${layer}`)!;
      for (const [name, other] of [['gain_over_previous', layers[k - 1]], ['gain_over_emb', layers[0]]] as const) {
        const d = pairedBootstrap(yTest, here, predictionsOf.get(`${seed}/${other}`)!, testClusters, resampled(seed));
        add(layer, kind, seed, name, d.difference);
        add(layer, kind, seed, `${name}_ci_low`, d.low);
        add(layer, kind, seed, `${name}_ci_high`, d.high);
        add(layer, kind, seed, `${name}_p`, d.p);
      }
    });
  }
  for (const baseline of await taskBaselines(task)) {
    const interval = bootstrapAccuracy(yTest, baseline.predictions, testClusters, resampled(0));
    add(NO_LAYER, baseline.name, 0, 'accuracy', interval.accuracy);
    add(NO_LAYER, baseline.name, 0, 'ci_low', interval.low);
    add(NO_LAYER, baseline.name, 0, 'ci_high', interval.high);
  }
  const result: ProbeLayersResult = { rows, summary: summarizeTask(rows, task.name, kind) };
  if (options.predictions) result.predictions = predictionRows(task, kind, units, outputs, dev);
  return result;
}

function predictionRows(task: ProbingTask, probe: string, units: ReadonlyArray<{ layer: number; seed: number }>, outputs: readonly UnitOutput[], dev: Int32Array): PredictionRow[] {
  const sentenceId = (split: Split, i: number) => {
    const s = split.sentences[split.examples[i].sentence];
    return s.corpusId ?? s.id;
  };
  const rows: PredictionRow[] = [];
  units.forEach(({ layer, seed }, u) => {
    const row = (split: 'dev' | 'test', source: Split, prefix: string, i: number, pred: number) =>
      rows.push({ task: task.name, layer, probe, seed, split, example_id: `${prefix}/${i}`, sentence_id: sentenceId(source, i), gold: task.labels[source.examples[i].label], pred: task.labels[pred] });
    dev.forEach((i, k) => row('dev', task.train, 'train', i, outputs[u].devPredictions[k]));
    outputs[u].testPredictions.forEach((pred, i) => row('test', task.test, 'test', i, pred));
  });
  return rows;
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
