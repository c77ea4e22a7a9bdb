import type { Matrix } from '../core/activations.js';
import { accuracy } from '../probe/metrics.js';
import { createProbe } from '../probe/create.js';
import type { ProbeOptions } from '../probe/types.js';
import { onlineCodelength, searchingProbes } from './mdl.js';

/** One layer × seed of the protocol: everything a worker needs, as plain (transferable) data. */
export interface UnitInput {
  /** The probe's training rows: the task's train split without the dev part. */
  train: Matrix;
  yTrain: Int32Array;
  /** Held out from the train split to choose things on (the best layer), never the test set. */
  dev: Matrix;
  yDev: Int32Array;
  test: Matrix;
  numClasses: number;
  probeOptions: ProbeOptions;
  /** Control-task labels (Hewitt & Liang 2019) of the training and test rows, when asked for. */
  control?: { yTrain: Int32Array; yTest: Int32Array };
  /** With MDL: the sentence of each training row (blocks are whole sentences). */
  mdl?: { clusters: Int32Array };
  seed: number;
}

export interface UnitOutput {
  /** Predicted class of every test row. */
  testPredictions: Int32Array;
  devPredictions: Int32Array;
  /** The task probe's final fit: its λ, iterations (or epochs), and whether it met its stopping rule. */
  fit: { l2: number; iterations: number; converged: boolean };
  controlAccuracy?: number;
  mdlBits?: number;
  mdlCompression?: number;
}

/**
 * Fits the task probe; then the control task with exactly the same settings (λ, and for the MLP
 * the number of epochs the task probe stopped at), so selectivity compares one probe on two
 * labelings (Hewitt & Liang 2019); then the MDL codelength, each block with its own λ search.
 */
export function runUnit(input: UnitInput): UnitOutput {
  const { train, yTrain, numClasses, probeOptions } = input;
  const probe = createProbe(probeOptions).fit(train, yTrain, numClasses);
  const { l2, iterations, converged } = probe.fitInfo!;
  const out: UnitOutput = { testPredictions: probe.predict(input.test), devPredictions: probe.predict(input.dev), fit: { l2, iterations, converged } };
  if (input.control) {
    const same = { ...probeOptions, l2, ...(probeOptions.kind === 'mlp' ? { maxIter: iterations } : {}) };
    const control = createProbe(same).fit(train, input.control.yTrain, numClasses);
    out.controlAccuracy = accuracy(control.predict(input.test), input.control.yTest);
  }
  if (input.mdl) {
    const code = onlineCodelength(train, yTrain, numClasses, searchingProbes(probeOptions), input.seed, input.mdl.clusters);
    out.mdlBits = code.bits;
    out.mdlCompression = code.compression;
  }
  return out;
}
