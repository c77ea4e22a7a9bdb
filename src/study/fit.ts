import type { Matrix } from '../core/activations.js';
import { createProbe } from '../probe/create.js';
import { accuracy, macroF1 } from '../probe/metrics.js';
import type { Labels, Probe, ProbeOptions } from '../probe/types.js';

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

