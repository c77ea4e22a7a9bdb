import type { Matrix } from '../core/activations.js';

export type ProbeKind = 'linear' | 'mlp';

/** What a validation walk selects on: accuracy, or the mean held-out cross-entropy. */
export type Selection = 'accuracy' | 'logLoss';

/** Class indices, one per row (0 … numClasses − 1). */
export type Labels = ArrayLike<number>;

/** Hyperparameters of a probe. Unset `l2` means: choose it on a validation split carved from the training data (see search.ts). */
export interface ProbeOptions {
  kind: ProbeKind;
  seed?: number; // validation split, MLP initialisation and batches (default 0)
  l2?: number; // L2 strength λ on the mean loss: loss = mean CE + λ/2·‖W‖² (sklearn's C = 1/(λ·n))
  l2Grid?: readonly number[]; // candidates for λ, tried from strongest to weakest (linear default: C = 10^-3…10^3, λ = 1/(C·n))
  validationFraction?: number; // share of the training rows held out to choose λ (default 0.2)
  /**
   * What the validation walk (and the MLP's early stopping) selects on: `accuracy` (default, like
   * LogisticRegressionCV's scoring and MLPClassifier's early stopping) or `logLoss`, the mean
   * held-out cross-entropy (MDL's block probes: a codelength is a log-loss, and accuracy ties on a
   * small held-out part let a negligible difference in the fit pick a λ whose codelength differs by half).
   */
  selectBy?: Selection;
  maxIter?: number; // linear: L-BFGS iterations (default 100, like sklearn); mlp: most epochs (default 50; early stopping ends sooner)
  tol?: number; // linear: stop when max |gradient| ≤ tol (default 1e-4, like sklearn)
  hidden?: number; // mlp: hidden units (default 256)
  batchSize?: number; // mlp: rows per Adam step (default 512)
  learningRate?: number; // mlp: Adam step size (default 3e-3)
  /**
   * Standardize the inputs with the training rows' statistics (default true). False: the inputs
   * are used as given, already on a common scale (MDL's blocks, standardized once with all rows).
   */
  standardize?: boolean;
}

/** A fitted-or-not probe with a scikit-learn style interface. Weights live in plain arrays, so nothing needs disposing. */
export interface Probe {
  readonly kind: ProbeKind;
  fit(X: Matrix, y: Labels, numClasses?: number): this;
  /** Most probable class per row. */
  predict(X: Matrix): Int32Array;
  /** Class probabilities, row-major [rows, numClasses]. */
  predictProba(X: Matrix): Float32Array;
  /** Natural-log class probabilities, row-major [rows, numClasses] (stable, never −Infinity from underflow). */
  predictLogProba(X: Matrix): Float32Array;
  /** Accuracy on (X, y). */
  score(X: Matrix, y: Labels): number;
  /** What fit chose and did: λ, iterations or epochs. */
  readonly fitInfo: FitInfo | undefined;
}

export interface FitInfo {
  l2: number;
  iterations: number; // L-BFGS iterations (linear) or epochs (mlp) of the final fit
  /**
   * Whether the final fit met its stopping rule before its limit: linear, max |∇| ≤ tol within
   * `maxIter` iterations (scikit-learn warns with a ConvergenceWarning otherwise); mlp, early
   * stopping ended training within `maxIter` epochs (never, without a held-out part).
   */
  converged: boolean;
  seconds: number; // wall time of fit, including the λ search
}
