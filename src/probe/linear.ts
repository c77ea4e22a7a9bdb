import * as tf from '@tensorflow/tfjs';
import { ProbeBase, type L2Path, type Training } from './base.js';
import { minimizeLbfgs } from './lbfgs.js';
import { accuracy, argmaxRows } from './metrics.js';
import type { Matrix } from '../core/activations.js';
import type { ProbeOptions } from './types.js';

/**
 * Multinomial logistic regression (softmax; one logit with a sigmoid for 2 classes, like
 * sklearn), fitted by full-batch L-BFGS on loss = mean cross-entropy + λ/2·‖W‖² (bias not
 * penalized) — the same optimum as sklearn's `LogisticRegression(C = 1/(λ·n))`.
 * Parameters are the vector [W (row-major, features × outputs), b].
 */
export class LinearProbe extends ProbeBase<Float64Array> {
  readonly kind = 'linear' as const;
  private params: Float64Array | undefined;

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

  protected train(data: Training, l2: number, warmStart: Float64Array | undefined): number {
    const design = new Design(data);
    try {
      const solved = design.solve(l2, warmStart, this.options);
      this.params = solved.params;
      return solved.iterations;
    } finally {
      design.dispose();
    }
  }

  protected openPath(fit: Training, validation: Training): L2Path<Float64Array> {
    const design = new Design(fit);
    let params: Float64Array | undefined;
    return {
      step: (l2) => {
        params = design.solve(l2, params, this.options).params; // warm start from the previous, stronger λ
        const logp = logProbaOf(validation.X, params, validation.numClasses);
        return { accuracy: accuracy(argmaxRows(logp, validation.X.rows, validation.numClasses), validation.y), hint: params };
      },
      dispose: () => design.dispose(),
    };
  }

  protected logProba(X: Matrix): Float32Array {
    if (!this.params) throw new Error('linear probe has no weights; fit it first');
    return logProbaOf(X, this.params, this.numClasses);
  }
}

/** Logit columns: one for binary tasks (logistic), one per class otherwise (softmax). */
function outputsFor(numClasses: number): number {
  return numClasses === 2 ? 1 : numClasses;
}

/** The training matrix on the backend, uploaded once and reused for every λ and every L-BFGS step. */
class Design {
  // X with a column of ones (so the bias is W's last row), and its transpose: both stay resident
  // because tfjs-wasm's matMul with transposeA re-transposes X on every call (≈10× slower than
  // the product itself), and Xᵀ·G is the gradient's one expensive product.
  private readonly X: tf.Tensor2D;
  private readonly Xt: tf.Tensor2D;
  private readonly targets: tf.Tensor2D;
  private readonly rows: number;
  private readonly cols: number;
  private readonly outputs: number;

  constructor({ X, y, numClasses }: Training) {
    this.rows = X.rows;
    this.cols = X.cols;
    this.outputs = outputsFor(numClasses);
    this.X = tf.tidy(() => tf.concat([tf.tensor2d(X.data, [X.rows, X.cols]), tf.ones([X.rows, 1])], 1));
    this.Xt = tf.transpose(this.X);
    this.targets = tf.tidy(() =>
      this.outputs === 1 ? tf.tensor2d(Float32Array.from(y), [y.length, 1]) : tf.oneHot(tf.tensor1d(y, 'int32'), numClasses).toFloat(),
    ) as tf.Tensor2D;
  }

  solve(l2: number, start: Float64Array | undefined, options: ProbeOptions): { params: Float64Array; iterations: number } {
    const size = (this.cols + 1) * this.outputs;
    const x0 = start && start.length === size ? start : new Float64Array(size);
    const result = minimizeLbfgs((p, g) => this.lossAndGradient(p, g, l2), x0, { maxIter: options.maxIter ?? 100, gtol: options.tol ?? 1e-4 });
    return { params: result.x, iterations: result.iterations };
  }

  /** Mean cross-entropy + λ/2·‖W‖² and its gradient: the data term by tfjs autodiff, the penalty here. */
  private lossAndGradient(params: Float64Array, grad: Float64Array, l2: number): number {
    const { X, Xt, targets, rows, outputs } = this;
    // Two nodes get hand-written gradients, both exact: X·W takes Xᵀ·dy from the resident
    // transpose, and cross-entropy-from-logits takes (p − t)/n, as tf.losses.softmaxCrossEntropy
    // does, instead of differentiating logSumExp op by op (5× slower on wasm).
    const project = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: tf.matMul(X, inputs[0] as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor) => tf.matMul(Xt, dy as tf.Tensor2D),
    }));
    let perRow: tf.Tensor | undefined;
    const crossEntropy = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const z = inputs[0] as tf.Tensor2D;
      (inputs[1] as tf.GradSaveFunc)([z]);
      const losses = outputs === 1 ? tf.sub(tf.softplus(z), tf.mul(targets, z)) : tf.sub(tf.logSumExp(z, 1, true), tf.sum(tf.mul(targets, z), 1, true));
      perRow = tf.keep(losses);
      return {
        value: tf.mean(losses),
        gradFunc: (dy: tf.Tensor, [logits]: tf.Tensor[]) => {
          const p = outputs === 1 ? tf.sigmoid(logits) : tf.softmax(logits);
          return tf.mul(tf.sub(p, targets), tf.div(dy, rows));
        },
      };
    });
    const W = tf.tensor2d(Float32Array.from(params), [this.cols + 1, outputs]);
    const { value, grad: dW } = tf.valueAndGrad((w: tf.Tensor) => crossEntropy(project(w)) as tf.Scalar)(W);
    const gradient = dW.dataSync();
    // The loss is summed in float64 here: a float32 sum over thousands of rows is too noisy for the line search.
    const rowLosses = perRow!.dataSync();
    tf.dispose([W, value, dW, perRow!]);
    let sum = 0;
    for (let i = 0; i < rowLosses.length; i++) sum += rowLosses[i];
    const weightCount = this.cols * outputs; // the bias row after these is not penalized
    let penalty = 0;
    for (let i = 0; i < gradient.length; i++) {
      const penalized = i < weightCount ? params[i] : 0;
      penalty += penalized * penalized;
      grad[i] = gradient[i] + l2 * penalized;
    }
    return sum / rows + (l2 / 2) * penalty;
  }

  dispose(): void {
    tf.dispose([this.X, this.Xt, this.targets]);
  }
}

/** Log class probabilities of standardized rows under parameters [W, b]. */
function logProbaOf(X: Matrix, params: Float64Array, numClasses: number): Float32Array {
  const outputs = outputsFor(numClasses);
  const weightCount = X.cols * outputs;
  return tf.tidy(() => {
    const z = tf.add(
      tf.matMul(tf.tensor2d(X.data, [X.rows, X.cols]), tf.tensor2d(Float32Array.from(params.subarray(0, weightCount)), [X.cols, outputs])),
      tf.tensor1d(Float32Array.from(params.subarray(weightCount))),
    );
    // Binary: log σ(−z), log σ(z) — the two-class log-softmax of logits (0, z).
    const logp = outputs === 1 ? tf.logSoftmax(tf.concat([tf.zerosLike(z), z], 1)) : tf.logSoftmax(z);
    return logp.dataSync() as Float32Array;
  });
}
