import * as tf from '@tensorflow/tfjs';
import { Random } from '../core/random.js';
import { ProbeBase, type L2Path, type Training } from './base.js';
import { accuracy, argmaxRows, meanLogLoss } from './metrics.js';
import type { Matrix } from '../core/activations.js';
import type { ProbeOptions } from './types.js';

const EARLY_STOP_PATIENCE = 3; // epochs without a lower validation loss

interface MlpWeights {
  W1: Float32Array; // [features, hidden]
  b1: Float32Array;
  W2: Float32Array; // [hidden, classes]
  b2: Float32Array;
}

/**
 * One hidden ReLU layer, softmax output, trained with Adam on large shuffled batches to minimise
 * mean cross-entropy + λ/2·(‖W1‖² + ‖W2‖²). On the validation walk each λ trains with early
 * stopping on validation loss; the final fit on all training rows runs for the best epoch count
 * found there (or `maxIter` epochs when λ is given).
 */
export class MlpProbe extends ProbeBase<number> {
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

  protected train(data: Training, l2: number, epochs: number | undefined): number {
    const trainer = new Trainer(data, this.options);
    try {
      const result = trainer.run(l2, epochs ?? this.options.maxIter ?? 30);
      this.weights = result.weights;
      return result.epochs;
    } finally {
      trainer.dispose();
    }
  }

  protected openPath(fit: Training, validation: Training): L2Path<number> {
    const trainer = new Trainer(fit, this.options);
    const X = tf.tensor2d(validation.X.data, [validation.X.rows, validation.X.cols]);
    return {
      step: (l2) => {
        const result = trainer.run(l2, this.options.maxIter ?? 30, { X, y: validation.y });
        return { accuracy: result.validationAccuracy, hint: result.epochs };
      },
      dispose: () => {
        trainer.dispose();
        X.dispose();
      },
    };
  }

  protected logProba(X: Matrix): Float32Array {
    if (!this.weights) throw new Error('mlp probe has no weights; fit it first');
    const { W1, b1, W2, b2 } = this.weights;
    const hidden = b1.length;
    return tf.tidy(() => {
      const weights = [tf.tensor2d(W1, [X.cols, hidden]), tf.tensor1d(b1), tf.tensor2d(W2, [hidden, b2.length]), tf.tensor1d(b2)] as const;
      return logSoftmaxOf(tf.tensor2d(X.data, [X.rows, X.cols]), ...weights).dataSync() as Float32Array;
    });
  }
}

interface Validation {
  X: tf.Tensor;
  y: Int32Array;
}

/** The training rows on the backend, shared by every λ; each run starts from the same seeded initialisation. */
class Trainer {
  private readonly X: tf.Tensor2D;
  private readonly targets: tf.Tensor2D;
  private readonly rows: number;
  private readonly cols: number;
  private readonly numClasses: number;

  constructor(
    { X, y, numClasses }: Training,
    private readonly options: ProbeOptions,
  ) {
    this.rows = X.rows;
    this.cols = X.cols;
    this.numClasses = numClasses;
    this.X = tf.tensor2d(X.data, [X.rows, X.cols]);
    this.targets = tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), numClasses).toFloat()) as tf.Tensor2D;
  }

  run(l2: number, maxEpochs: number, validation?: Validation): { weights: MlpWeights; epochs: number; validationAccuracy: number } {
    const seed = this.options.seed ?? 0;
    const hidden = this.options.hidden ?? 256;
    const batchSize = Math.min(this.options.batchSize ?? 512, this.rows);
    const rng = new Random(seed);
    const initial = [glorot(rng, this.cols, hidden), tf.zeros([hidden]), glorot(rng, hidden, this.numClasses), tf.zeros([this.numClasses])];
    const variables = initial.map((t) => tf.variable(t));
    tf.dispose(initial);
    const [W1, b1, W2, b2] = variables;
    const optimizer = tf.train.adam(this.options.learningRate ?? 3e-3);
    const order = Array.from({ length: this.rows }, (_, i) => i);
    let best = { loss: Infinity, epoch: 0, accuracy: NaN };
    let epoch = 0;
    try {
      while (epoch < maxEpochs) {
        rng.shuffle(order);
        for (let start = 0; start < this.rows; start += batchSize) {
          // The batch lives outside the loss closure: tfjs disposes the forward pass's own tensors before the backward pass.
          const [x, t] = tf.tidy(() => {
            const rows = tf.tensor1d(order.slice(start, start + batchSize), 'int32');
            return [tf.gather(this.X, rows), tf.gather(this.targets, rows)];
          });
          optimizer.minimize(
            () => {
              const z = tf.add(hiddenDense(tf.relu(tf.add(inputDense(x)(W1), b1)), W2), b2);
              const dataLoss = tf.neg(tf.mean(tf.sum(tf.mul(t, tf.logSoftmax(z)), 1)));
              return tf.add(dataLoss, tf.mul(l2 / 2, tf.add(tf.sum(tf.square(W1)), tf.sum(tf.square(W2))))) as tf.Scalar;
            },
            false,
            variables,
          );
          tf.dispose([x, t]);
        }
        epoch++;
        if (validation) {
          const scored = score(validation, W1, b1, W2, b2, this.numClasses);
          if (scored.loss < best.loss) best = { ...scored, epoch };
          else if (epoch - best.epoch >= EARLY_STOP_PATIENCE) break;
        }
      }
      const weights = {
        W1: W1.dataSync() as Float32Array,
        b1: b1.dataSync() as Float32Array,
        W2: W2.dataSync() as Float32Array,
        b2: b2.dataSync() as Float32Array,
      };
      return { weights, epochs: validation ? Math.max(1, best.epoch) : epoch, validationAccuracy: best.accuracy };
    } finally {
      optimizer.dispose();
      tf.dispose(variables);
    }
  }

  dispose(): void {
    tf.dispose([this.X, this.targets]);
  }
}

/** Mean validation cross-entropy (for early stopping) and accuracy (for choosing λ) of the current weights. */
function score(validation: Validation, W1: tf.Tensor, b1: tf.Tensor, W2: tf.Tensor, b2: tf.Tensor, numClasses: number): { loss: number; accuracy: number } {
  const logp = tf.tidy(() => logSoftmaxOf(validation.X, W1, b1, W2, b2));
  const values = logp.dataSync();
  logp.dispose();
  return { loss: meanLogLoss(values, validation.y, numClasses), accuracy: accuracy(argmaxRows(values, validation.y.length, numClasses), validation.y) };
}

/** The network's log class probabilities for a batch of rows (no gradients needed). */
function logSoftmaxOf(X: tf.Tensor, W1: tf.Tensor, b1: tf.Tensor, W2: tf.Tensor, b2: tf.Tensor): tf.Tensor {
  return tf.logSoftmax(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(X as tf.Tensor2D, W1 as tf.Tensor2D), b1)), W2 as tf.Tensor2D), b2));
}

/** Glorot-uniform weights from the seeded generator, so a seed fixes the whole run. */
function glorot(rng: Random, fanIn: number, fanOut: number): tf.Tensor2D {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.tensor2d(Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng.next() - 1) * limit), [fanIn, fanOut]);
}

// tfjs-wasm's matMul with transposeA copies and transposes naively (≈15× slower than the product),
// and autodiff of matMul uses it for the weight gradient; these layers transpose explicitly instead.

/** x·W for a constant input batch: gradient for W only (none is needed for the data). */
function inputDense(x: tf.Tensor): (w: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.matMul(x as tf.Tensor2D, inputs[0] as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor) => tf.matMul(tf.transpose(x as tf.Tensor2D), dy as tf.Tensor2D),
  }));
}

/** h·W with gradients for both. */
const hiddenDense = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [h, w, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([h, w]);
  return {
    value: tf.matMul(h, w),
    gradFunc: (dy: tf.Tensor, [hs, ws]: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(ws as tf.Tensor2D)),
      tf.matMul(tf.transpose(hs as tf.Tensor2D), dy as tf.Tensor2D),
    ],
  };
}) as (h: tf.Tensor, w: tf.Tensor) => tf.Tensor;
