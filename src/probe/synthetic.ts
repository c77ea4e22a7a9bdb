import { Random } from '../core/random.js';
import type { Matrix } from '../core/activations.js';

export interface ClusterOptions {
  rows: number;
  dim: number;
  classes: number;
  separation: number; // class means ~ N(0, separation²·I): smaller is harder
  seed: number;
  factors?: number; // shared low-rank directions, like the anisotropy of real embeddings (default 32)
  factorScale?: number; // their strength relative to the unit isotropic noise (default 3)
}

/**
 * Gaussian class clusters with correlated noise: x = μ_y + factorScale·A·f + ε, with f ~ N(0, I)
 * on `factors` shared directions A and ε ~ N(0, I). A realistic-looking probing matrix whose
 * accuracy is tunable by `separation` — for sanity checks, tests and the benchmark.
 */
export function gaussianClusters(options: ClusterOptions): { X: Matrix; y: Int32Array } {
  const { rows, dim, classes, separation, seed, factors = 32, factorScale = 3 } = options;
  const rng = new Random(seed);
  const means = Float32Array.from({ length: classes * dim }, () => separation * rng.normal());
  const A = Float32Array.from({ length: factors * dim }, () => (factorScale * rng.normal()) / Math.sqrt(factors));
  const y = Int32Array.from({ length: rows }, () => rng.int(classes));
  const data = new Float32Array(rows * dim);
  const f = new Float32Array(factors);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < factors; k++) f[k] = rng.normal();
    const row = data.subarray(r * dim, (r + 1) * dim);
    row.set(means.subarray(y[r] * dim, (y[r] + 1) * dim));
    for (let k = 0; k < factors; k++) {
      const direction = A.subarray(k * dim, (k + 1) * dim);
      for (let c = 0; c < dim; c++) row[c] += f[k] * direction[c];
    }
    for (let c = 0; c < dim; c++) row[c] += rng.normal();
  }
  return { X: { data, rows, cols: dim }, y };
}
