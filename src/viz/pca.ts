import { Random } from '../core/random.js';
import { centerColumns, dot, orthonormalizeRows, symmetricEigen } from './linalg.js';

export interface PcaResult {
  /** Row-major [rows, k]: each row projected onto the components. */
  scores: Float64Array;
  /** Row-major [k, dim]: unit principal axes; each one's largest-magnitude entry is positive. */
  components: Float64Array;
  /** Variance along each component (sample variance, divided by rows − 1, as scikit-learn). */
  explainedVariance: Float64Array;
  k: number;
}

const MAX_ITERATIONS = 100;

/**
 * Top-k PCA of a row-major [rows, dim] matrix by subspace iteration with Rayleigh–Ritz on the
 * covariance, applied as Xᵀ(Xv) so the dim × dim covariance is never formed. It stops when the top-k
 * Ritz pairs have converged; when the spectrum is nearly flat (no well-defined top axes) it stops after
 * MAX_ITERATIONS with axes from that near-degenerate top subspace.
 */
export function pca(data: ArrayLike<number>, rows: number, dim: number, k = 2): PcaResult {
  if (k < 1 || k > Math.min(rows, dim)) throw new Error(`pca: k = ${k} must be between 1 and min(rows, dim) = ${Math.min(rows, dim)}`);
  const x = centerColumns(data, rows, dim);
  const p = Math.min(k + 10, dim, rows); // oversampling speeds convergence of the top k
  // The basis as p rows of length dim, so every product is a contiguous dot or axpy.
  const basis = new Float64Array(p * dim);
  const rng = new Random(12345);
  for (let i = 0; i < basis.length; i++) basis[i] = rng.normal();
  orthonormalizeRows(basis, p, dim);

  const xb = new Float64Array(rows * p); // X Qᵀ
  const cb = new Float64Array(p * dim); // (C Qᵀ)ᵀ, C = XᵀX / (rows − 1)
  const t = new Float64Array(p * p);
  let ritz: ReturnType<typeof symmetricEigen> = { values: new Float64Array(p), vectors: new Float64Array(p * p) };
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    if (iter > 0) {
      basis.set(cb);
      orthonormalizeRows(basis, p, dim);
    }
    for (let r = 0; r < rows; r++) for (let j = 0; j < p; j++) xb[r * p + j] = dot(x, r * dim, basis, j * dim, dim);
    cb.fill(0);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < p; j++) {
        const w = xb[r * p + j] / (rows - 1);
        if (w === 0) continue;
        for (let c = 0; c < dim; c++) cb[j * dim + c] += w * x[r * dim + c];
      }
    }
    for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) t[i * p + j] = t[j * p + i] = (dot(basis, i * dim, cb, j * dim, dim) + dot(basis, j * dim, cb, i * dim, dim)) / 2;
    ritz = symmetricEigen(t, p);
    // Converged when every top-k Ritz pair has a tiny residual ‖C(Qᵀv) − λQᵀv‖ relative to λ₁.
    let worst = 0;
    for (let j = 0; j < k; j++) {
      let res = 0;
      for (let c = 0; c < dim; c++) {
        let cv = 0;
        let qv = 0;
        for (let i = 0; i < p; i++) {
          cv += cb[i * dim + c] * ritz.vectors[i * p + j];
          qv += basis[i * dim + c] * ritz.vectors[i * p + j];
        }
        res += (cv - ritz.values[j] * qv) ** 2;
      }
      worst = Math.max(worst, Math.sqrt(res));
    }
    if (worst <= 1e-10 * Math.max(ritz.values[0], 1e-300)) break;
  }

  const components = new Float64Array(k * dim);
  for (let j = 0; j < k; j++) {
    let biggest = 0;
    for (let c = 0; c < dim; c++) {
      let s = 0;
      for (let i = 0; i < p; i++) s += basis[i * dim + c] * ritz.vectors[i * p + j];
      components[j * dim + c] = s;
      if (Math.abs(s) > Math.abs(biggest)) biggest = s;
    }
    if (biggest < 0) for (let c = 0; c < dim; c++) components[j * dim + c] *= -1;
  }
  const scores = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) scores[r * k + j] = dot(x, r * dim, components, j * dim, dim);
  return { scores, components, explainedVariance: ritz.values.slice(0, k), k };
}
