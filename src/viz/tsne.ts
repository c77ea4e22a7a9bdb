import { dot } from './linalg.js';
import { pca } from './pca.js';

export interface TsneOptions {
  perplexity?: number; // default 30, capped at (rows − 1) / 3
  iterations?: number; // default 1000
}

/**
 * Symmetric t-SNE affinities P (row-major [n, n], summing to 1) from squared distances: each row's
 * Gaussian bandwidth is found by bisection so its conditional distribution has the given perplexity.
 */
export function tsneAffinities(squaredDistances: Float64Array, n: number, perplexity: number): Float64Array {
  const target = Math.log(perplexity);
  const cond = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    for (let step = 0; step < 200; step++) {
      let sum = 0;
      let weighted = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const p = Math.exp(-squaredDistances[i * n + j] * beta);
        cond[i * n + j] = p;
        sum += p;
        weighted += squaredDistances[i * n + j] * p;
      }
      sum = Math.max(sum, 1e-300);
      const entropy = Math.log(sum) + (beta * weighted) / sum;
      for (let j = 0; j < n; j++) cond[i * n + j] /= sum;
      const diff = entropy - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) p[i * n + j] = Math.max((cond[i * n + j] + cond[j * n + i]) / (2 * n), Number.EPSILON); // floor as scikit-learn
  for (let i = 0; i < n; i++) p[i * n + i] = 0;
  return p;
}

/** Squared Euclidean distances between the rows of a row-major [n, dim] matrix, as ‖a‖² + ‖b‖² − 2a·b. */
function squaredDistances(x: ArrayLike<number>, n: number, dim: number): Float64Array {
  const norms = Float64Array.from({ length: n }, (_, i) => dot(x, i * dim, x, i * dim, dim));
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) d[i * n + j] = d[j * n + i] = Math.max(norms[i] + norms[j] - 2 * dot(x, i * dim, x, j * dim, dim), 0);
  return d;
}

/**
 * Exact t-SNE (van der Maaten & Hinton, 2008) to 2-D with scikit-learn's defaults: PCA initialisation
 * (deterministic, no seed needed), early exaggeration 12 for 250 iterations, learning rate
 * max(n / 48, 50), momentum 0.5 → 0.8 and adaptive gains. O(n²) time and memory per iteration: meant
 * for up to a couple of thousand points. Returns row-major [n, 2].
 */
export function tsne(data: ArrayLike<number>, rows: number, dim: number, options: TsneOptions = {}): Float64Array {
  const n = rows;
  if (n < 4) throw new Error(`tsne: needs at least 4 points, got ${n}`);
  const perplexity = Math.min(options.perplexity ?? 30, (n - 1) / 3);
  const iterations = options.iterations ?? 1000;
  const p = tsneAffinities(squaredDistances(data, n, dim), n, perplexity);

  const init = pca(data, n, dim, 2).scores;
  let sd = 0;
  for (let i = 0; i < n; i++) sd += init[i * 2] ** 2;
  sd = Math.sqrt(sd / n) || 1;
  const y = Float64Array.from(init, (v) => (v / sd) * 1e-4);

  const gains = new Float64Array(n * 2).fill(1);
  const update = new Float64Array(n * 2);
  const grad = new Float64Array(n * 2);
  const num = new Float64Array(n * n);
  const learningRate = Math.max(n / 48, 50);
  for (let iter = 0; iter < iterations; iter++) {
    const exaggeration = iter < 250 ? 12 : 1;
    const momentum = iter < 250 ? 0.5 : 0.8;
    let z = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) {
      const q = 1 / (1 + (y[i * 2] - y[j * 2]) ** 2 + (y[i * 2 + 1] - y[j * 2 + 1]) ** 2);
      num[i * n + j] = num[j * n + i] = q;
      z += 2 * q;
    }
    grad.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const q = num[i * n + j];
      const m = 4 * (exaggeration * p[i * n + j] - q / z) * q;
      grad[i * 2] += m * (y[i * 2] - y[j * 2]);
      grad[i * 2 + 1] += m * (y[i * 2 + 1] - y[j * 2 + 1]);
    }
    for (let k = 0; k < n * 2; k++) {
      gains[k] = Math.sign(grad[k]) === Math.sign(update[k]) ? Math.max(gains[k] * 0.8, 0.01) : gains[k] + 0.2;
      update[k] = momentum * update[k] - learningRate * gains[k] * grad[k];
      y[k] += update[k];
    }
  }
  return y;
}
