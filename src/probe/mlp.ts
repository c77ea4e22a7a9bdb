import * as tf from '@tensorflow/tfjs';
import { Random } from '../core/random.js';
import { valuesOf } from './backend.js';
import { Adam } from './adam.js';
import { ProbeBase, type FinalFit, type L2Path, type Training, type Warm } from './base.js';
import { accuracy, argmaxRows, meanLogLoss } from './metrics.js';
import { holdOut } from './search.js';
import { restandardize, selectLabels, type Standardizer } from './standardize.js';
import { selectRows, type Matrix } from '../core/activations.js';
import type { ProbeOptions } from './types.js';

const EARLY_STOP_PATIENCE = 5; // epochs without a better validation score before training stops (sklearn: 10)
const EARLY_STOP_FRACTION = 0.1; // with λ given: rows held out to stop on (sklearn's validation_fraction)
const MIN_EARLY_STOP_ROWS = 10; // fewer held-out rows than this: no early stopping, `maxIter` epochs

interface MlpWeights {
  W1: Float32Array; // [features, hidden]
  b1: Float32Array;
  W2: Float32Array; // [hidden, classes]
  b2: Float32Array;
}

interface Uploaded {
  W1: tf.Tensor2D;
  b1: tf.Tensor1D;
  W2: tf.Tensor2D;
  b2: tf.Tensor1D;
}

/** Weights at the epoch with the best validation score, and the epochs of training behind them. */
interface Trained {
  weights: MlpWeights;
  epochs: number;
  /** Early stopping ended the training (not the epoch limit). */
  stoppedEarly: boolean;
}

/**
 * One hidden ReLU layer, softmax output, trained with Adam on shuffled mini-batches to minimise
 * mean cross-entropy + λ/2·(‖W1‖² + ‖W2‖²), with early stopping as scikit-learn's
 * `MLPClassifier(early_stopping=True)` does it: train on part of the rows, score the held-out part
 * after every epoch (accuracy; validation loss breaks ties), stop after EARLY_STOP_PATIENCE epochs
 * without a better score and keep the best epoch's weights. With λ given, EARLY_STOP_FRACTION of
 * the rows are held out. Without, the λ search (search.ts) walks the grid from the strongest λ,
 * each candidate continuing from the previous one's best weights (a warm start: the weaker λ
 * needs only a few more epochs) with early stopping on the validation part; the winner's weights
 * are the probe — re-expressed for the standardization of all training rows, not trained again
 * (as sklearn's early-stopped model is trained on its 90%).
 */
export class MlpProbe extends ProbeBase<Trained> {
  readonly kind = 'mlp' as const;

  protected defaultL2(): number {
    return 1e-3;
  }

  protected defaultGrid(): number[] {
    return [1e-2, 1e-3, 1e-4];
  }
  private weights: MlpWeights | undefined;

  constructor(options: Omit<ProbeOptions, 'kind'> = {}) {
    super({ ...options, kind: 'mlp' });
  }

  protected train(data: Training, scaling: Standardizer, l2: number, warm: Warm<Trained> | undefined): FinalFit {
    if (warm) {
      const { W, b } = restandardize(warm.value.weights.W1, warm.value.weights.b1, warm.scaling, scaling);
      this.weights = { ...warm.value.weights, W1: W, b1: b };
      return { iterations: warm.value.epochs, converged: warm.value.stoppedEarly };
    }
    const split = holdOut(data.X.rows, EARLY_STOP_FRACTION, this.options.seed ?? 0);
    const stopping = split.heldOut.length >= MIN_EARLY_STOP_ROWS;
    const fit = stopping ? { ...data, X: selectRows(data.X, split.fit), y: selectLabels(data.y, split.fit) } : data;
    const validation = stopping ? new Validation(selectRows(data.X, split.heldOut), selectLabels(data.y, split.heldOut)) : undefined;
    try {
      const result = new Trainer(fit, this.options).run(l2, this.maxEpochs(), validation);
      this.weights = result.weights;
      return { iterations: result.epochs, converged: result.stoppedEarly };
    } finally {
      validation?.dispose();
    }
  }

  protected openPath(fit: Training, validation: Training): L2Path<Trained> {
    const trainer = new Trainer(fit, this.options);
    const held = new Validation(validation.X, validation.y);
    let previous: Trained | undefined;
    return {
      step: (l2) => {
        const result = trainer.run(l2, this.maxEpochs(), held, previous);
        previous = result;
        return { accuracy: result.validationAccuracy, logLoss: result.validationLoss, hint: result };
      },
      dispose: () => held.dispose(),
    };
  }

  private maxEpochs(): number {
    return this.options.maxIter ?? 50;
  }

  protected logProba(X: Matrix): Float32Array {
    if (!this.weights) throw new Error('mlp probe has no weights; fit it first');
    const weights = this.weights;
    return valuesOf(() => logSoftmaxOf(tf.tensor2d(X.data, [X.rows, X.cols]), upload(weights)));
  }
}

/** Held-out rows on the backend, scored after every epoch. */
class Validation {
  readonly X: tf.Tensor2D;
  constructor(
    X: Matrix,
    readonly y: Int32Array,
  ) {
    this.X = tf.tensor2d(X.data, [X.rows, X.cols]);
  }
  dispose(): void {
    this.X.dispose();
  }
}

/**
 * The training rows, shared by every λ; each run starts from the same seeded initialisation.
 * Batches are assembled here and uploaded, not gathered on the backend: tfjs-wasm's gather took
 * twice as long as the batch's first-layer product did on wasm's own kernel (the product is faster
 * on MLAS, the gather is not); copying rows in JS is a few memcpys.
 */
class Trainer {
  private readonly rows: number;
  private readonly cols: number;
  private readonly numClasses: number;

  constructor(
    private readonly data: Training,
    private readonly options: ProbeOptions,
  ) {
    this.rows = data.X.rows;
    this.cols = data.X.cols;
    this.numClasses = data.numClasses;
  }

  /**
   * Trains for up to `maxEpochs`, from `start` or the seeded initialisation; with validation rows,
   * stops early and returns the best epoch's weights. Epochs count from the initialisation.
   */
  run(l2: number, maxEpochs: number, validation?: Validation, start?: Trained): Trained & { validationAccuracy: number; validationLoss: number } {
    const seed = this.options.seed ?? 0;
    const hidden = this.options.hidden ?? 256;
    const batchSize = Math.min(this.options.batchSize ?? 512, this.rows);
    const rng = new Random(seed);
    const weights: MlpWeights = start
      ? copyWeights(start.weights)
      : { W1: glorot(rng, this.cols, hidden), b1: new Float32Array(hidden), W2: glorot(rng, hidden, this.numClasses), b2: new Float32Array(this.numClasses) };
    const before = start?.epochs ?? 0;
    const { W1, b1, W2, b2 } = weights;
    const adam = new Adam([W1, b1, W2, b2], [true, false, true, false], this.options.learningRate ?? 3e-3);
    const order = Array.from({ length: this.rows }, (_, i) => i);
    const xBatch = new Float32Array(batchSize * this.cols);
    const tBatch = new Float32Array(batchSize * this.numClasses);
    let best: (Omit<Trained, 'stoppedEarly'> & { validationLoss: number; validationAccuracy: number }) | undefined;
    // Accuracy first, loss breaking ties (sklearn's early stopping); or loss alone with selectBy 'logLoss'.
    const byLoss = this.options.selectBy === 'logLoss';
    const better = (s: { loss: number; accuracy: number }) =>
      !best || (byLoss ? s.loss < best.validationLoss : s.accuracy > best.validationAccuracy || (s.accuracy === best.validationAccuracy && s.loss < best.validationLoss));
    let bestEpoch = 0;
    let epoch = 0;
    let stoppedEarly = false;
    while (epoch < maxEpochs) {
      rng.shuffle(order);
      for (let first = 0; first < this.rows; first += batchSize) {
        const size = Math.min(batchSize, this.rows - first);
        this.fillBatch(order, first, size, xBatch, tBatch);
        const grads = tf.tidy(() => gradients(tf.tensor2d(xBatch.subarray(0, size * this.cols), [size, this.cols]), tf.tensor2d(tBatch.subarray(0, size * this.numClasses), [size, this.numClasses]), upload(weights)));
        const values = grads.map((g) => g.dataSync() as Float32Array);
        tf.dispose(grads);
        adam.step(values, l2);
      }
      epoch++;
      if (validation) {
        const scored = score(validation, weights, this.numClasses);
        if (better(scored)) {
          best = { validationLoss: scored.loss, validationAccuracy: scored.accuracy, epochs: before + epoch, weights: copyWeights(weights) };
          bestEpoch = epoch;
        } else if (epoch - bestEpoch >= EARLY_STOP_PATIENCE) {
          stoppedEarly = true;
          break;
        }
      }
    }
    return best ? { ...best, stoppedEarly } : { weights, epochs: before + epoch, stoppedEarly, validationAccuracy: NaN, validationLoss: NaN };
  }

  /** Copies rows order[start … start + size) and their one-hot targets into the batch buffers. */
  private fillBatch(order: number[], start: number, size: number, x: Float32Array, t: Float32Array): void {
    const { X, y } = this.data;
    const { cols, numClasses } = this;
    t.fill(0, 0, size * numClasses);
    for (let i = 0; i < size; i++) {
      const row = order[start + i];
      x.set(X.data.subarray(row * cols, (row + 1) * cols), i * cols);
      t[i * numClasses + y[row]] = 1;
    }
  }
}

/** The weights on the backend, for one batch or one scoring pass (inside a tidy). */
function upload({ W1, b1, W2, b2 }: MlpWeights): Uploaded {
  const hidden = b1.length;
  return { W1: tf.tensor2d(W1, [W1.length / hidden, hidden]), b1: tf.tensor1d(b1), W2: tf.tensor2d(W2, [hidden, b2.length]), b2: tf.tensor1d(b2) };
}

function copyWeights({ W1, b1, W2, b2 }: MlpWeights): MlpWeights {
  return { W1: W1.slice(), b1: b1.slice(), W2: W2.slice(), b2: b2.slice() };
}

/**
 * The gradient of the batch's mean cross-entropy (the L2 term is Adam's), by hand rather than by
 * autodiff (no tape): with p = softmax(z), ∂CE/∂z = (p − t)/batch; the ReLU passes the gradient
 * where its input was positive. Transposed factors are the products' flags (MLAS packs them as it
 * goes, faster than a transpose kernel and a plain product), and the bias gradients, column sums,
 * are products with a row of ones.
 */
function gradients(x: tf.Tensor2D, targets: tf.Tensor2D, { W1, b1, W2, b2 }: Uploaded): tf.Tensor[] {
  const h = tf.relu(tf.add(tf.matMul(x, W1), b1)) as tf.Tensor2D;
  const z = tf.add(tf.matMul(h, W2), b2);
  const dz = tf.div(tf.sub(tf.softmax(z), targets), x.shape[0]) as tf.Tensor2D;
  const dh = tf.mul(tf.matMul(dz, W2, false, true), tf.step(h)) as tf.Tensor2D;
  const ones = tf.ones([1, x.shape[0]]) as tf.Tensor2D;
  return [tf.matMul(x, dh, true, false), tf.matMul(ones, dh), tf.matMul(h, dz, true, false), tf.matMul(ones, dz)];
}

/** Mean validation cross-entropy and accuracy of the current weights (early stopping and choosing λ select on them). */
function score(validation: Validation, weights: MlpWeights, numClasses: number): { loss: number; accuracy: number } {
  const values = valuesOf(() => logSoftmaxOf(validation.X, upload(weights)));
  return { loss: meanLogLoss(values, validation.y, numClasses), accuracy: accuracy(argmaxRows(values, validation.y.length, numClasses), validation.y) };
}

/** The network's log class probabilities for a batch of rows (no gradients needed). */
function logSoftmaxOf(X: tf.Tensor2D, { W1, b1, W2, b2 }: Uploaded): tf.Tensor {
  return tf.logSoftmax(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(X, W1), b1)) as tf.Tensor2D, W2), b2));
}

/** Glorot-uniform weights [fanIn, fanOut] from the seeded generator, so a seed fixes the whole run. */
function glorot(rng: Random, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng.next() - 1) * limit);
}
