/**
 * The lab's probing phase against scikit-learn doing the same fits, on a seeded sample of the
 * lab's own units (task × layer × seed, tasks capped as `layerwise lab` caps them), real features
 * from the extraction store:
 *   - layerwise: `runUnit` (study/unit.ts), the code the lab's workers run: the task probe with its
 *     λ walk and refit, the control task at the same λ, MDL with a λ walk per block;
 *   - scikit-learn (bench/sklearn_worker.py): LogisticRegression(lbfgs) on the same rows, the same
 *     validation splits, λ grid, patience, control labels and MDL blocks.
 * Two figures: one unit at a time (ours on one core, as one lab worker runs; scikit-learn with
 * its BLAS on every core), and throughput on the whole machine (ours: one worker per core, as the
 * lab runs; scikit-learn: one single-threaded process per core). Accuracies are printed beside
 * the times: equal work must give equal answers. Features are read from (or first written to)
 * the extraction store under LAYERWISE_CACHE.
 *
 *   npm run bench:units [-- --model DIR --units 8 --tasks en]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../src/core/config.js';
import { writeNpy } from '../src/core/npy.js';
import { Random } from '../src/core/random.js';
import { Encoder } from '../src/encoder/encoder.js';
import { initBackend } from '../src/probe/backend.js';
import { accuracy } from '../src/probe/metrics.js';
import { validationSplit } from '../src/probe/search.js';
import { embedTask } from '../src/study/features.js';
import { mdlBlocks } from '../src/study/mdl.js';
import { planUnits, type UnitPlan } from '../src/study/protocol.js';
import { runUnit, type UnitInput, type UnitOutput } from '../src/study/unit.js';
import { FitWorkers } from '../src/study/workers.js';
import { loadTasks, TASK_REGISTRY } from '../src/tasks/registry.js';
import { subsampleTask } from '../src/tasks/subsample.js';
import { cpuModel } from '../src/core/matmul-rate.js';
import { loadavg, Sklearn } from './sklearn.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: '.cache/bench/roberta-base-shaped' },
    units: { type: 'string', default: '8' },
    tasks: { type: 'string', default: 'en' },
    seed: { type: 'string', default: '0' },
  },
});
const cores = availableParallelism();
const names = values.tasks === 'en' ? TASK_REGISTRY.filter((t) => t.language === 'en').map((t) => t.name) : values.tasks!.split(',');

interface SklearnUnit {
  seconds: number;
  task_seconds: number;
  control_seconds?: number;
  mdl_seconds?: number;
  test_accuracy: number;
  control_accuracy?: number;
  mdl_bits?: number;
}

/** One unit's rows, labels, splits and MDL blocks as files, for scikit-learn to fit exactly what runUnit fits. */
function writeUnit(dir: string, input: UnitInput, yTest: Int32Array): void {
  mkdirSync(dir);
  const matrix = (name: string, m: { data: Float32Array; rows: number; cols: number }) => writeNpy(join(dir, name), [m.rows, m.cols], m.data);
  const labels = (name: string, y: Int32Array) => writeNpy(join(dir, name), [y.length], Float32Array.from(y));
  matrix('train.npy', input.train);
  matrix('dev.npy', input.dev);
  matrix('test.npy', input.test);
  labels('y_train.npy', input.yTrain);
  labels('y_dev.npy', input.yDev);
  labels('y_test.npy', yTest);
  if (input.control) {
    labels('y_control_train.npy', input.control.yTrain);
    labels('y_control_test.npy', input.control.yTest);
  }
  const fraction = input.probeOptions.validationFraction ?? 0.2;
  const split = (n: number) => {
    const s = validationSplit(n, fraction, input.seed);
    return s ? [Array.from(s.fit), Array.from(s.heldOut)] : null;
  };
  const task = split(input.train.rows);
  let mdl = null;
  if (input.mdl) {
    const { order, ends } = mdlBlocks(input.train.rows, input.seed, input.mdl.clusters);
    mdl = { order: Array.from(order), ends, splits: ends.slice(0, -1).map((end) => split(end)) };
  }
  writeFileSync(join(dir, 'unit.json'), JSON.stringify({ num_classes: input.numClasses, fit_rows: task?.[0] ?? null, val_rows: task?.[1] ?? null, control: Boolean(input.control), mdl }));
}

console.log(`CPU: ${cpuModel()}, ${cores} cores; load average ${loadavg()} at start`);
const backend = await initBackend();
const encoder = await Encoder.load(resolve(values.model!));
const random = new Random(Number(values.seed));
const plans: { task: string; plan: UnitPlan }[] = [];
try {
  for (const task of loadTasks(names).map((t) => subsampleTask(t, DEFAULTS.labCap, DEFAULTS.labCap))) {
    const features = await embedTask(encoder, task);
    plans.push({ task: task.name, plan: planUnits(features, task, { seeds: DEFAULTS.seeds, control: true, mdl: true }) });
  }
} finally {
  await encoder.dispose();
}
const all = plans.flatMap(({ task, plan }) => plan.units.map((unit) => ({ task, plan, unit })));
const sample = random.sample(all.length, Number(values.units)).map((i) => all[i]);
console.log(`tfjs ${backend}; ${sample.length} of the lab's ${all.length} units (${names.length} tasks, ${DEFAULTS.labCap}-example caps, ${DEFAULTS.seeds} seeds, control, MDL)\n`);

const dir = mkdtempSync(join(tmpdir(), 'layerwise-bench-units-'));
const sklearn = new Sklearn();
const inputs = sample.map(({ plan, unit }) => plan.input(unit));
let ours = 0;
let theirs = 0;
try {
  console.log('one unit at a time (layerwise: one core; scikit-learn: BLAS on every core)');
  for (const [i, { task, unit }] of sample.entries()) {
    const unitDir = join(dir, String(i));
    const input = inputs[i];
    const yTest = sample[i].plan.yTest;
    writeUnit(unitDir, input, yTest);
    const started = performance.now();
    const out: UnitOutput = runUnit(input);
    const seconds = (performance.now() - started) / 1000;
    const peer = await sklearn.ask<SklearnUnit>({ run: 'unit', dir: unitDir });
    ours += seconds;
    theirs += peer.seconds;
    const n = input.train.rows;
    console.log(`  ${task} layer ${unit.layer} seed ${unit.seed} (${n} rows, ${input.numClasses} classes): layerwise ${seconds.toFixed(2)} s, scikit-learn ${peer.seconds.toFixed(2)} s (task ${peer.task_seconds.toFixed(2)}, control ${(peer.control_seconds ?? 0).toFixed(2)}, MDL ${(peer.mdl_seconds ?? 0).toFixed(2)}); ratio ${(seconds / peer.seconds).toFixed(2)}×`);
    console.log(`      test accuracy ${(100 * accuracy(out.testPredictions, yTest)).toFixed(2)} vs ${(100 * peer.test_accuracy).toFixed(2)}` +
      (out.controlAccuracy === undefined ? '' : `; control ${(100 * out.controlAccuracy).toFixed(2)} vs ${(100 * peer.control_accuracy!).toFixed(2)}`) +
      (out.mdlBits === undefined ? '' : `; MDL ${out.mdlBits.toFixed(0)} vs ${peer.mdl_bits!.toFixed(0)} bits`));
  }
  console.log(`  total: layerwise ${ours.toFixed(1)} s, scikit-learn ${theirs.toFixed(1)} s: ${(ours / theirs).toFixed(2)}× (load average ${loadavg()})\n`);

  console.log(`throughput on all ${cores} cores`);
  let started = performance.now();
  const pool = new FitWorkers(cores);
  try {
    await Promise.all(inputs.map((input) => pool.run(() => input)));
  } finally {
    await pool.close();
  }
  const oursWall = (performance.now() - started) / 1000;
  const workers = Array.from({ length: cores }, () => new Sklearn(1));
  started = performance.now();
  try {
    await Promise.all(workers.map(async (worker, w) => {
      for (let i = w; i < sample.length; i += cores) await worker.ask({ run: 'unit', dir: join(dir, String(i)) });
    }));
  } finally {
    workers.forEach((w) => w.close());
  }
  const theirsWall = (performance.now() - started) / 1000;
  console.log(`  layerwise (${cores} fit workers) ${oursWall.toFixed(1)} s, scikit-learn (${cores} single-threaded processes) ${theirsWall.toFixed(1)} s: ${(oursWall / theirsWall).toFixed(2)}×`);
  console.log(`  the best scikit-learn wall for these units: ${Math.min(theirs, theirsWall).toFixed(1)} s; layerwise / that = ${(oursWall / Math.min(theirs, theirsWall)).toFixed(2)}×`);
} finally {
  sklearn.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nload average ${loadavg()} at the end`);
