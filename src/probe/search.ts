import { selectRows, type Matrix } from '../core/activations.js';
import { Random } from '../core/random.js';
import { scalingOf, selectLabels, standardize, type Standardizer } from './standardize.js';
import type { Selection } from './types.js';

/** Training data already standardized, with its labels and the number of classes. */
export interface Training {
  X: Matrix;
  y: Int32Array;
  numClasses: number;
}

/** Parameters found on the validation walk, with the statistics their inputs were standardized with. */
export interface Warm<Hint> {
  value: Hint;
  scaling: Standardizer;
}

/** How well a step's parameters do on the validation rows. */
export interface ValidationScore {
  accuracy: number;
  logLoss: number; // mean cross-entropy, nats
}

/** Data kept on the backend while λ walks its grid; each step trains at one λ and scores the validation rows. */
export interface L2Path<Hint> {
  step(l2: number): ValidationScore & { hint: Hint };
  dispose(): void;
}

export interface L2SearchOptions<Hint> {
  seed?: number;
  validationFraction?: number; // default 0.2
  l2Grid?: readonly number[];
  /** What the walk maximizes: accuracy (default) or −log-loss. */
  selectBy?: Selection;
  /** False: the rows are used as given (ProbeOptions.standardize). */
  standardize?: boolean;
  /** λ when there are too few rows to hold some out. */
  defaultL2: number;
  /** λ candidates when `l2Grid` is not given, for a fitting part of `rows` rows. */
  grid(rows: number): readonly number[];
  openPath(fit: Training, validation: Training): L2Path<Hint>;
}

const PATIENCE = 3; // grid steps without a better validation accuracy before the walk stops
const MIN_VALIDATION_ROWS = 10; // fewer than this and validation scores are noise: use the default λ

/** A seeded random split of row indices 0 … n−1 into a fitting part and a held-out part. */
export function holdOut(n: number, fraction: number, seed: number): { fit: Int32Array; heldOut: Int32Array } {
  const order = new Random(seed).permutation(n);
  const held = Math.round(n * fraction);
  return { fit: Int32Array.from(order.slice(held)).sort(), heldOut: Int32Array.from(order.slice(0, held)).sort() };
}

/** The split λ is chosen on, or undefined when either part would be too small to mean anything. */
export function validationSplit(n: number, fraction: number, seed: number): { fit: Int32Array; heldOut: Int32Array } | undefined {
  const split = holdOut(n, fraction, seed);
  return split.heldOut.length < MIN_VALIDATION_ROWS || split.fit.length < MIN_VALIDATION_ROWS ? undefined : split;
}

/** Higher is better: accuracy, or minus the log-loss. */
function validationMerit(score: ValidationScore, selectBy: Selection = 'accuracy'): number {
  return selectBy === 'logLoss' ? -score.logLoss : score.accuracy;
}

/**
 * The hyper-parameter search of a probe, as scikit-learn's `LogisticRegressionCV` is to
 * `LogisticRegression`: λ is chosen on a seeded validation split carved from the training data
 * (never the test set), walking the grid from the strongest λ down (weak-λ fits that only
 * overfit are skipped once the validation score stops improving); the best validation accuracy
 * (or log-loss, with `selectBy`) wins, the strongest λ on ties. Returns λ and the path's
 * parameters at that λ (a warm start for the final fit), with the fitting part's standardization
 * they were found under.
 */
export function searchL2<Hint>(X: Matrix, y: Int32Array, numClasses: number, options: L2SearchOptions<Hint>): { l2: number; warm?: Warm<Hint> } {
  const split = validationSplit(X.rows, options.validationFraction ?? 0.2, options.seed ?? 0);
  if (!split) return { l2: options.defaultL2 };
  const fitRows = selectRows(X, split.fit);
  // Validation rows are scaled with the fitting part's statistics only.
  const stats = scalingOf(fitRows, options.standardize);
  const path = options.openPath(
    { X: standardize(fitRows, stats), y: selectLabels(y, split.fit), numClasses },
    { X: standardize(selectRows(X, split.heldOut), stats), y: selectLabels(y, split.heldOut), numClasses },
  );
  try {
    let best: { l2: number; merit: number; hint: Hint } | undefined;
    let sinceBest = 0;
    for (const l2 of [...(options.l2Grid ?? options.grid(split.fit.length))].sort((a, b) => b - a)) {
      const { hint, ...score } = path.step(l2);
      const merit = validationMerit(score, options.selectBy);
      if (!best || merit > best.merit) {
        best = { l2, merit, hint };
        sinceBest = 0;
      } else if (++sinceBest >= PATIENCE) {
        break;
      }
    }
    if (!best) throw new Error('l2Grid is empty; give at least one λ');
    return { l2: best.l2, warm: { value: best.hint, scaling: stats } };
  } finally {
    path.dispose();
  }
}
