import * as tf from '@tensorflow/tfjs';
import { ProbeBase, type FinalFit, type L2Path, type Training, type Warm } from './base.js';
import { peek, valuesOf } from './backend.js';
import { minimizeLbfgs } from './lbfgs.js';
import { logisticLoss, softmaxLoss } from './losses.js';
import { accuracy, argmaxRows, meanLogLoss } from './metrics.js';
import { restandardize, type Standardizer } from './standardize.js';
import type { Matrix } from '../core/activations.js';
import type { ProbeOptions } from './types.js';

/** Parameters [W (row-major, features × outputs), b] over the classes present in the training rows. */
interface Fitted {
  params: Float64Array;
  classes: Int32Array; // the present classes, ascending: logit column j is class classes[j]
  rows: number; // training rows: each absent class gets probability 1/(rows + K)
}

/**
 * Multinomial logistic regression (softmax; one logit with a sigmoid for 2 classes, like
 * sklearn), fitted by full-batch L-BFGS on loss = mean cross-entropy + λ/2·‖W‖² (bias not
 * penalized) — the same optimum as sklearn's `LogisticRegression(C = 1/(λ·n))`.
 *
 * Like sklearn, it fits only the classes present in the training rows: an absent class has no
 * optimum (its unpenalized bias runs to −∞), and L-BFGS spent all its iterations chasing it. A
 * class absent from n training rows of K classes gets probability 1/(n + K) (Laplace's rule of
 * succession), the present ones share the rest in the fitted proportions, so log-probabilities
 * (the MDL codelength of a small block) stay finite and do not depend on when an optimizer stopped.
 */
export class LinearProbe extends ProbeBase<Fitted> {
  readonly kind = 'linear' as const;
  private fitted: Fitted | undefined;

  /** sklearn's default C = 1. */
  protected defaultL2(rows: number): number {
    return 1 / rows;
  }

  /** sklearn's units: C = 10^-3 … 10^3 in half decades, λ = 1/(C·rows). */
  protected defaultGrid(rows: number): number[] {
    return Array.from({ length: 13 }, (_, i) => 1 / (10 ** (-3 + i / 2) * rows));
  }

  constructor(options: Omit<ProbeOptions, 'kind'> = {}) {
    super({ ...options, kind: 'linear' });
  }

  protected train(data: Training, scaling: Standardizer, l2: number, warm: Warm<Fitted> | undefined): FinalFit {
    const design = new Design(data);
    try {
      // The walk's fitting part may lack a class the whole training split has: then start cold.
      // (Entering the missing class at its frequency, from the walk, was no faster: on deprel's MDL
      // blocks it saved 18–26 iterations at layer 0 and cost 22–36 more at layer 6.)
      const start = warm && sameClasses(warm.value.classes, design.classes) ? restandardizeParams(warm, scaling, outputsFor(design.classes.length)) : undefined;
      const solved = design.solve(l2, start, this.options);
      this.fitted = { params: solved.params, classes: design.classes, rows: data.X.rows };
      return { iterations: solved.iterations, converged: solved.converged };
    } finally {
      design.dispose();
    }
  }

  protected openPath(fit: Training, validation: Training): L2Path<Fitted> {
    const design = new Design(fit);
    let params: Float64Array | undefined;
    let previous: Float64Array | undefined; // the solution one λ before `params`
    const K = validation.numClasses;
    return {
      step: (l2) => {
        const start = params && previous ? secantPrediction(previous, params) : params;
        [previous, params] = [params, design.solve(l2, start, this.options, WALK_TOLERANCE).params];
        const fitted = { params, classes: design.classes, rows: fit.X.rows };
        const logp = logProbaAll(validation.X, fitted, K);
        return { accuracy: accuracy(argmaxRows(logp, validation.X.rows, K), validation.y), logLoss: meanLogLoss(logp, validation.y, K), hint: fitted };
      },
      dispose: () => design.dispose(),
    };
  }

  protected logProba(X: Matrix): Float32Array {
    if (!this.fitted) throw new Error('linear probe has no weights; fit it first');
    return logProbaAll(X, this.fitted, this.numClasses);
  }
}

/**
 * The validation walk solves each λ to 3× the final fit's tolerance (max |∇| ≤ 3e-4 by default): it
 * only ranks λ by held-out scores, and the final fit at the chosen λ is solved to the full
 * tolerance from there. Measured on 15 lab units (deprel, upos, morph.Number, sst2, sentlen at
 * layers 0, 6, 12): 29% less work than exact steps; test accuracies within 0.1 points but two SST-2
 * units (−1.0 and +1.4, where another λ won a near-tie on validation), MDL codelengths within 0.1%.
 * At 5× (39% less work) bench:probe's 2-class walk chose another λ than scikit-learn's (test −0.35
 * points); at 3× both tasks choose scikit-learn's λ.
 */
const WALK_TOLERANCE = 3;

const sameClasses = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((c, i) => c === b[i]);

/**
 * The start of a walk step: the path's next point predicted from its last two, a step as long as
 * the last one in log λ (the grid's steps are equal there). Path-following methods predict the
 * next solution before correcting it (Park & Hastie 2007, predictor–corrector); this is the secant
 * predictor, which needs no Hessian. Against a start at the last solution it took 10% less work
 * (loss evaluations × rows × classes) over 15 units of five tasks at layers 0, 6 and 12.
 */
function secantPrediction(previous: Float64Array, last: Float64Array): Float64Array {
  return last.map((value, i) => 2 * value - previous[i]);
}

/**
 * Log-probabilities of all K classes [rows, K] for standardized rows: the present classes' fitted
 * ones, less the share the absent classes take (1/(n + K) each, n the training rows).
 */
function logProbaAll(X: Matrix, fitted: Fitted, K: number): Float32Array {
  const { classes, rows } = fitted;
  const present = logProbaOf(X, fitted);
  const m = classes.length;
  if (m === K) return present;
  const out = new Float32Array(X.rows * K);
  const absent = Math.log(1 / (rows + K));
  const share = Math.log1p(-(K - m) / (rows + K)); // what the present classes keep
  out.fill(absent);
  for (let r = 0; r < X.rows; r++) for (let j = 0; j < m; j++) out[r * K + classes[j]] = present[r * m + j] + share;
  return out;
}

/**
 * The validation walk's parameters re-expressed for the final standardization: the final fit then
 * starts at the walk's optimum as the final data sees it, not at a point shifted by the difference
 * between the fitting part's and all rows' statistics.
 */
function restandardizeParams(warm: Warm<Fitted>, to: Standardizer, outputs: number): Float64Array {
  const weightCount = warm.scaling.mean.length * outputs;
  const { params: value } = warm.value;
  const { W, b } = restandardize(value.subarray(0, weightCount), value.subarray(weightCount), warm.scaling, to);
  const params = new Float64Array(value.length);
  params.set(W);
  params.set(b, weightCount);
  return params;
}

/** Logit columns: one for two classes (logistic), one per class otherwise (softmax). */
function outputsFor(numClasses: number): number {
  return numClasses === 2 ? 1 : numClasses;
}

/** The training matrix on the backend, uploaded once and reused for every λ and every L-BFGS step. */
class Design {
  // X with a column of ones (so the bias is W's last row), and its transpose: both stay resident,
  // because a product whose left factor is transposed re-packs X on every call (MLAS: 3× slower
  // than Xᵀ·G with Xᵀ kept; tfjs-wasm's own kernel: ≈10×). Products run as X·W and Xᵀ·G.
  private readonly X: tf.Tensor2D;
  private readonly Xt: tf.Tensor2D;
  private readonly labels: Int32Array; // each row's class as its index in `classes`
  private readonly rows: number;
  private readonly cols: number;
  private readonly outputs: number;
  // Each step's weights (and one logit's residual) go through these arrays, which tfjs copies into
  // its memory, and the products are read in place (peek): fresh arrays and copies every step,
  // 1.1 MB a step for 32 classes, kept the garbage collector at 15% of a unit's time.
  private readonly weights: Float32Array;
  private readonly residual: Float32Array; // one logit's σ(z) − t
  private readonly targets: tf.Tensor2D | undefined; // with a softmax: one-hot labels

  /** The classes present in the rows, ascending; labels are fitted as their index here. */
  readonly classes: Int32Array;

  constructor({ X, y, numClasses }: Training) {
    this.rows = X.rows;
    this.cols = X.cols;
    const seen = new Uint8Array(numClasses);
    for (const label of y) seen[label] = 1;
    this.classes = Int32Array.from(Array.from(seen.keys()).filter((c) => seen[c] === 1));
    const index = new Int32Array(numClasses);
    this.classes.forEach((c, j) => (index[c] = j));
    this.labels = y.map((label) => index[label]);
    this.outputs = outputsFor(this.classes.length);
    this.X = tf.tidy(() => tf.concat([tf.tensor2d(X.data, [X.rows, X.cols]), tf.ones([X.rows, 1])], 1));
    this.Xt = tf.transpose(this.X);
    this.weights = new Float32Array((this.cols + 1) * this.outputs);
    this.residual = new Float32Array(this.outputs === 1 ? this.rows : 0);
    if (this.outputs > 1) {
      const targets = new Float32Array(this.rows * this.outputs);
      this.labels.forEach((label, i) => (targets[i * this.outputs + label] = 1));
      this.targets = tf.tensor2d(targets, [this.rows, this.outputs]);
    }
  }

  /** Minimizes the loss at λ = `l2` to max |∇| ≤ tol × `looser` (1: the probe's own tolerance). */
  solve(l2: number, start: Float64Array | undefined, options: ProbeOptions, looser = 1): { params: Float64Array; iterations: number; converged: boolean } {
    const size = (this.cols + 1) * this.outputs;
    // One class present: nothing to fit, every row is that class.
    if (this.classes.length === 1) return { params: new Float64Array(0), iterations: 0, converged: true };
    const x0 = start && start.length === size ? start : this.priorStart();
    const result = minimizeLbfgs((p, g) => this.lossAndGradient(p, g, l2), x0, { maxIter: options.maxIter ?? 100, gtol: (options.tol ?? 1e-4) * looser });
    return { params: result.x, iterations: result.iterations, converged: result.converged };
  }

  /**
   * W = 0 and each bias at its class's log frequency: the optimum as λ → ∞, so a cold start at the
   * walk's strongest λ is already close. From W = b = 0 (uniform probabilities), L-BFGS spent
   * its first iterations on the biases alone: on a 31-class probe of 2,889 rows, 100 iterations
   * (not converged) from zero, 30 from here.
   */
  private priorStart(): Float64Array {
    const { cols, outputs, labels, rows } = this;
    const x0 = new Float64Array((cols + 1) * outputs);
    const counts = new Float64Array(this.classes.length);
    for (const label of labels) counts[label]++;
    if (outputs === 1) {
      x0[cols] = Math.log(counts[1] / counts[0]);
    } else {
      // Softmax logits are defined up to a constant: centre them, so the start has the smallest norm.
      const logs = Array.from(counts, (count) => Math.log(count / rows));
      const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
      logs.forEach((value, j) => (x0[cols * outputs + j] = value - mean));
    }
    return x0;
  }

  /**
   * Mean cross-entropy + λ/2·‖W‖² and its gradient, written out rather than by autodiff: logits
   * z = X·W, residual p − t, gradient Xᵀ·residual / n. With one logit (p = σ(z)) the loss and
   * residual are one float64 JS pass over the rows; with a softmax, p and the residual are backend
   * kernels (vectorized exps; in JS, this pass over 3,611 rows × 32 classes took 15% of a unit) and
   * JS only sums −log p of each row's class.
   */
  private lossAndGradient(params: Float64Array, grad: Float64Array, l2: number): number {
    const { X, Xt, rows, cols, outputs } = this;
    this.weights.set(params);
    const weights = tf.tensor2d(this.weights, [cols + 1, outputs]);
    const logits = tf.matMul(X, weights);
    let residual: tf.Tensor;
    let probabilities: tf.Tensor | undefined;
    let logisticSum = 0;
    if (outputs === 1) {
      logisticSum = logisticLoss(peek(logits), this.labels, this.residual);
      residual = tf.tensor2d(this.residual, [rows, 1]);
    } else {
      probabilities = tf.softmax(logits);
      residual = tf.sub(probabilities, this.targets!);
    }
    const product = tf.matMul(Xt, residual);
    // Views of tfjs's memory, read after the last allocation of this step (an allocation may move it).
    const sum = probabilities ? softmaxLoss(peek(probabilities), peek(logits), this.labels) : logisticSum;
    const gradient = peek(product);
    const weightCount = cols * outputs; // the bias row after these is not penalized
    let penalty = 0;
    for (let i = 0; i < gradient.length; i++) {
      const penalized = i < weightCount ? params[i] : 0;
      penalty += penalized * penalized;
      grad[i] = gradient[i] / rows + l2 * penalized;
    }
    for (const t of [weights, logits, residual, product, probabilities]) t?.dispose();
    return sum / rows + (l2 / 2) * penalty;
  }

  dispose(): void {
    tf.dispose([this.X, this.Xt, ...(this.targets ? [this.targets] : [])]);
  }
}

/** Log-probabilities of the present classes [rows, classes.length] for standardized rows. */
function logProbaOf(X: Matrix, { params, classes }: Fitted): Float32Array {
  if (classes.length === 1) return new Float32Array(X.rows); // log 1
  const outputs = outputsFor(classes.length);
  const weightCount = X.cols * outputs;
  return valuesOf(() => {
    const z = tf.add(
      tf.matMul(tf.tensor2d(X.data, [X.rows, X.cols]), tf.tensor2d(new Float32Array(params.subarray(0, weightCount)), [X.cols, outputs])),
      tf.tensor1d(new Float32Array(params.subarray(weightCount))),
    );
    // Two classes: log σ(−z), log σ(z) — the two-class log-softmax of logits (0, z).
    return outputs === 1 ? tf.logSoftmax(tf.concat([tf.zerosLike(z), z], 1)) : tf.logSoftmax(z);
  });
}
