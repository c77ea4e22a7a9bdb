import type { Matrix } from '../core/activations.js';
import { checkInteger, checkNumber } from '../core/validate.js';
import { accuracy, argmaxRows } from './metrics.js';
import { searchL2, type L2Path, type Training, type Warm } from './search.js';
import { checkFinite, checkLabels, scalingOf, standardize, type Standardizer } from './standardize.js';
import type { FitInfo, Labels, Probe, ProbeKind, ProbeOptions } from './types.js';

export type { L2Path, Training, Warm } from './search.js';

/** What `train` reports of the final fit: iterations or epochs, and whether its stopping rule ended it. */
export type FinalFit = Pick<FitInfo, 'iterations' | 'converged'>;

/** Every hyperparameter against its meaning, so a 0 or a negative value never falls back to a default unnoticed. */
function checkProbeOptions(o: ProbeOptions): void {
  const optional = (name: keyof ProbeOptions, check: (name: string, value: number) => void) => {
    const value = o[name];
    if (value !== undefined) check(name, value as number);
  };
  optional('seed', (n, v) => checkInteger(n, v, 0));
  optional('maxIter', (n, v) => checkInteger(n, v, 1));
  optional('hidden', (n, v) => checkInteger(n, v, 1));
  optional('batchSize', (n, v) => checkInteger(n, v, 1));
  optional('l2', (n, v) => checkNumber(n, v, (x) => x >= 0, '≥ 0'));
  optional('tol', (n, v) => checkNumber(n, v, (x) => x > 0, '> 0'));
  optional('learningRate', (n, v) => checkNumber(n, v, (x) => x > 0, '> 0'));
  optional('validationFraction', (n, v) => checkNumber(n, v, (x) => x > 0 && x < 1, 'between 0 and 1 (exclusive)'));
  if (o.standardize !== undefined && typeof o.standardize !== 'boolean') throw new Error(`standardize must be true or false, got ${String(o.standardize)}`);
  if (o.selectBy !== undefined && o.selectBy !== 'accuracy' && o.selectBy !== 'logLoss') throw new Error(`selectBy must be 'accuracy' or 'logLoss', got ${String(o.selectBy)}`);
  if (o.l2Grid !== undefined) {
    if (o.l2Grid.length === 0) throw new Error('l2Grid is empty: give at least one λ, or leave it out');
    o.l2Grid.forEach((l2, i) => checkNumber(`l2Grid[${i}]`, l2, (x) => x >= 0, '≥ 0'));
  }
}

/**
 * What linear and MLP probes share: standardization with training statistics only, the
 * validation search over λ when none is given (search.ts), and predict / predictProba / score on top of one `logProba`. */
export abstract class ProbeBase<Hint> implements Probe {
  abstract readonly kind: ProbeKind;
  fitInfo: FitInfo | undefined;
  private standardizer: Standardizer | undefined;
  protected numClasses = 0;

  constructor(protected readonly options: ProbeOptions) {
    checkProbeOptions(options);
  }

  /** λ when there are too few rows to hold some out, for `rows` training rows. */
  protected abstract defaultL2(rows: number): number;
  /** λ candidates when `l2Grid` is not given, for a fitting part of `rows` rows. */
  protected abstract defaultGrid(rows: number): readonly number[];
  /**
   * Trains on the whole training data, standardized with `scaling`, at one λ; returns iterations
   * or epochs and whether the stopping rule was met. `warm` holds the validation walk's parameters
   * at that λ, when there was a walk.
   */
  protected abstract train(data: Training, scaling: Standardizer, l2: number, warm: Warm<Hint> | undefined): FinalFit;
  protected abstract openPath(fit: Training, validation: Training): L2Path<Hint>;
  /** Natural-log class probabilities for standardized rows. */
  protected abstract logProba(X: Matrix): Float32Array;

  fit(X: Matrix, y: Labels, numClasses?: number): this {
    const started = performance.now();
    const k = checkLabels(X, y, numClasses);
    const labels = Int32Array.from(y);
    let l2 = this.options.l2;
    let warm: Warm<Hint> | undefined;
    if (l2 === undefined) ({ l2, warm } = searchL2(X, labels, k, { ...this.options, defaultL2: this.defaultL2(X.rows), grid: (rows) => this.defaultGrid(rows), openPath: (fit, validation) => this.openPath(fit, validation) }));
    this.standardizer = scalingOf(X, this.options.standardize);
    this.numClasses = k;
    const trained = this.train({ X: standardize(X, this.standardizer), y: labels, numClasses: k }, this.standardizer, l2, warm);
    this.fitInfo = { l2, ...trained, seconds: (performance.now() - started) / 1000 };
    return this;
  }

  predictLogProba(X: Matrix): Float32Array {
    if (!this.standardizer) throw new Error(`this ${this.kind} probe is not fitted yet; call fit(X, y) first`);
    checkFinite(X);
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
