import type { Matrix } from '../core/activations.js';
import type { ProbeOptions } from '../probe/types.js';
import { fitAndScore } from './fit.js';
import { onlineCodelength } from './mdl.js';

/** One layer × seed of the protocol: everything a worker needs, as plain (transferable) data. */
export interface UnitInput {
  train: Matrix;
  test: Matrix;
  yTrain: Int32Array;
  yTest: Int32Array;
  numClasses: number;
  probeOptions: ProbeOptions;
  /** Control-task labels (Hewitt & Liang 2019), when asked for. */
  control?: { yTrain: Int32Array; yTest: Int32Array };
  mdl: boolean;
  seed: number;
}

export interface UnitOutput {
  accuracy: number;
  macroF1: number;
  controlAccuracy?: number;
  mdlBits?: number;
  mdlCompression?: number;
}

/** Fits the task probe, then (same probe, same λ) the control task and the MDL codelength. */
export function runUnit(input: UnitInput): UnitOutput {
  const { train, test, yTrain, yTest, numClasses, probeOptions } = input;
  const main = fitAndScore(train, yTrain, test, yTest, numClasses, probeOptions);
  const { l2, iterations } = main.probe.fitInfo!;
  const out: UnitOutput = { accuracy: main.accuracy, macroF1: main.macroF1 };
  if (input.control) {
    // The same probe as the task's, λ included: selectivity compares one probe on two
    // labelings (Hewitt & Liang 2019), and skipping a second λ search halves the cost.
    out.controlAccuracy = fitAndScore(train, input.control.yTrain, test, input.control.yTest, numClasses, { ...probeOptions, l2 }).accuracy;
  }
  if (input.mdl) {
    // The codelength reuses the main fit's λ (and epochs for the MLP) rather than re-tuning per block.
    const code = onlineCodelength(train, yTrain, numClasses, { ...probeOptions, l2, ...(probeOptions.kind === 'mlp' ? { maxIter: iterations } : {}) }, input.seed);
    out.mdlBits = code.bits;
    out.mdlCompression = code.compression;
  }
  return out;
}
