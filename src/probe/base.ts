import { checkLabels, fitStandardizer, selectLabels, selectRows, standardize, type Standardizer } from './matrix.js';
import { accuracy, argmaxRows } from './metrics.js';
import { holdOut } from './split.js';
import type { FitInfo, Labels, Matrix, Probe, ProbeKind, ProbeOptions } from './types.js';

/** Training data already standardized, with its labels and the number of classes. */
export interface Training {
  X: Matrix;
  y: Int32Array;
  numClasses: number;
}

/** Data kept on the backend while λ walks its grid; each step trains at one λ and scores the validation rows. */
export interface L2Path<Hint> {
  step(l2: number): { accuracy: number; hint: Hint };
  dispose(): void;
}

const PATIENCE = 3; // grid steps without a better validation accuracy before the walk stops
const MIN_VALIDATION_ROWS = 10; // fewer than this and validation scores are noise: use the default λ

/**
 * What linear and MLP probes share: standardization with training statistics only, the
 * validation walk over λ (strongest first, so weak-λ fits that only overfit are skipped),
 * and predict / predictProba / score on top of one `logProba`. λ is the one with the best
 * validation accuracy, the strongest on ties — what a scikit-learn grid search over C does.
 */
export abstract class ProbeBase<Hint> implements Probe {
  abstract readonly kind: ProbeKind;
  fitInfo: FitInfo | undefined;
  private standardizer: Standardizer | undefined;
  protected numClasses = 0;

  constructor(protected readonly options: ProbeOptions) {}

  /** λ when there are too few rows to hold some out, for `rows` training rows. */
  protected abstract defaultL2(rows: number): number;
  /** λ candidates when `l2Grid` is not given, for a fitting part of `rows` rows. */
  protected abstract defaultGrid(rows: number): readonly number[];
  /** Trains on the whole (standardized) training data at one λ; returns iterations or epochs. */
  protected abstract train(data: Training, l2: number, hint: Hint | undefined): number;
  protected abstract openPath(fit: Training, validation: Training): L2Path<Hint>;
  /** Natural-log class probabilities for standardized rows. */
  protected abstract logProba(X: Matrix): Float32Array;

  fit(X: Matrix, y: Labels, numClasses?: number): this {
    const started = performance.now();
    const k = checkLabels(X, y, numClasses);
    const labels = Int32Array.from(y);
    let l2 = this.options.l2;
    let hint: Hint | undefined;
    if (l2 === undefined) ({ l2, hint } = this.chooseL2(X, labels, k));
    this.standardizer = fitStandardizer(X);
    this.numClasses = k;
    const iterations = this.train({ X: standardize(X, this.standardizer), y: labels, numClasses: k }, l2, hint);
    this.fitInfo = { l2, iterations, seconds: (performance.now() - started) / 1000 };
    return this;
  }

  private chooseL2(X: Matrix, y: Int32Array, numClasses: number): { l2: number; hint?: Hint } {
    const split = holdOut(X.rows, this.options.validationFraction ?? 0.2, this.options.seed ?? 0);
    if (split.heldOut.length < MIN_VALIDATION_ROWS || split.fit.length < MIN_VALIDATION_ROWS) return { l2: this.defaultL2(X.rows) };
    const fitRows = selectRows(X, split.fit);
    const stats = fitStandardizer(fitRows); // validation rows are scaled with the fitting part's statistics only
    const path = this.openPath(
      { X: standardize(fitRows, stats), y: selectLabels(y, split.fit), numClasses },
      { X: standardize(selectRows(X, split.heldOut), stats), y: selectLabels(y, split.heldOut), numClasses },
    );
    try {
      let best: { l2: number; accuracy: number; hint: Hint } | undefined;
      let sinceBest = 0;
      for (const l2 of [...(this.options.l2Grid ?? this.defaultGrid(split.fit.length))].sort((a, b) => b - a)) {
        const { accuracy, hint } = path.step(l2);
        if (!best || accuracy > best.accuracy) {
          best = { l2, accuracy, hint };
          sinceBest = 0;
        } else if (++sinceBest >= PATIENCE) {
          break;
        }
      }
      if (!best) throw new Error('l2Grid is empty; give at least one λ');
      return best;
    } finally {
      path.dispose();
    }
  }

  predictLogProba(X: Matrix): Float32Array {
    if (!this.standardizer) throw new Error(`this ${this.kind} probe is not fitted yet; call fit(X, y) first`);
    return this.logProba(standardize(X, this.standardizer));
  }

  predictProba(X: Matrix): Float32Array {
    return this.predictLogProba(X).map(Math.exp);
  }

  predict(X: Matrix): Int32Array {
    return argmaxRows(this.predictLogProba(X), X.rows, this.numClasses);
  }

  score(X: Matrix, y: Labels): number {
    return accuracy(this.predict(X), y);
  }
}
