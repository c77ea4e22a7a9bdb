import type { Matrix } from '../core/activations.js';
import { firstNonFinite } from '../core/validate.js';
import type { Labels } from './types.js';

/** Refuses a NaN or ±Infinity feature: one would turn every standardized column it touches into NaN and the probe into a constant predictor. */
export function checkFinite(X: Matrix): void {
  const bad = firstNonFinite(X.data);
  if (bad >= 0) throw new Error(`feature row ${Math.floor(bad / X.cols)}, column ${bad % X.cols} is ${X.data[bad]}; probe features must be finite numbers`);
}

export function selectLabels(y: Labels, indices: ArrayLike<number>): Int32Array {
  return Int32Array.from({ length: indices.length }, (_, i) => y[indices[i]]);
}

/** Per-column mean and standard deviation (population, like sklearn's StandardScaler). */
export interface Standardizer {
  mean: Float32Array;
  scale: Float32Array; // 1 for constant columns, so they map to 0 instead of NaN
  /** Mean 0 and scale 1 everywhere: `standardize` hands the rows back as they are. */
  identity?: true;
}

export function fitStandardizer(X: Matrix): Standardizer {
  const { rows, cols, data } = X;
  // One pass of float64 sums of x and x²: exact enough for float32 inputs unless |mean| ≫ 1e6·sd.
  const sum = new Float64Array(cols);
  const sumSq = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = data[row + c];
      sum[c] += v;
      sumSq[c] += v * v;
    }
  }
  const mean = sum.map((s) => s / rows);
  const scale = Float32Array.from(sumSq, (s, c) => {
    const sd = Math.sqrt(Math.max(s / rows - mean[c] * mean[c], 0));
    return sd > 1e-7 * Math.abs(mean[c]) && sd > 0 ? sd : 1;
  });
  return { mean: Float32Array.from(mean), scale };
}

/** The statistics of inputs used as given: mean 0, scale 1. */
export function unitScaling(cols: number): Standardizer {
  return { mean: new Float32Array(cols), scale: new Float32Array(cols).fill(1), identity: true };
}

/** The statistics a probe scales `X` with: its own (`fitStandardizer`), or with `standardize: false` the identity. */
export function scalingOf(X: Matrix, standardize: boolean | undefined): Standardizer {
  return standardize === false ? unitScaling(X.cols) : fitStandardizer(X);
}

/**
 * (X − mean) / scale in a new matrix; with the identity scaling, X itself (read-only to callers):
 * MDL's block probes take inputs standardized once, and copying each block's rows several times
 * per block for an identity map was work done for nothing.
 */
export function standardize(X: Matrix, s: Standardizer): Matrix {
  const { rows, cols, data } = X;
  if (cols !== s.mean.length) throw new Error(`the probe was fitted on ${s.mean.length} features but got ${cols}`);
  if (s.identity) return X;
  const inverse = s.scale.map((v) => 1 / v);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) out[row + c] = (data[row + c] - s.mean[c]) * inverse[c];
  }
  return { data: out, rows, cols };
}

/**
 * Re-expresses an affine first layer z = u·W + b, fitted on inputs u standardized with `from`,
 * for inputs v standardized with `to`, exactly: u = (σ_to/σ_from)∘v + (μ_to − μ_from)/σ_from, so
 * row c of W scales by σ_to[c]/σ_from[c] and b gains Σ_c (μ_to[c] − μ_from[c])/σ_from[c]·W[c].
 * W is row-major [features, outputs]; returns new arrays.
 */
export function restandardize<T extends Float32Array | Float64Array>(W: T, b: T, from: Standardizer, to: Standardizer): { W: T; b: T } {
  const cols = from.mean.length;
  const outputs = b.length;
  const W2 = W.slice() as T;
  const b2 = b.slice() as T;
  for (let c = 0; c < cols; c++) {
    const ratio = to.scale[c] / from.scale[c];
    const shift = (to.mean[c] - from.mean[c]) / from.scale[c];
    for (let o = 0; o < outputs; o++) {
      const w = W[c * outputs + o];
      W2[c * outputs + o] = w * ratio;
      b2[o] += shift * w;
    }
  }
  return { W: W2, b: b2 };
}

/** Checks labels against a matrix and returns the number of classes (given, or max label + 1). */
export function checkLabels(X: Matrix, y: Labels, numClasses?: number): number {
  if (y.length !== X.rows) throw new Error(`got ${X.rows} feature rows but ${y.length} labels; they must be aligned one to one`);
  if (X.data.length !== X.rows * X.cols) throw new Error(`matrix data has ${X.data.length} values, expected ${X.rows}×${X.cols}`);
  checkFinite(X);
  let max = -1;
  for (let i = 0; i < y.length; i++) {
    const label = y[i];
    if (!Number.isInteger(label) || label < 0) throw new Error(`label ${label} at row ${i} is not a class index (0, 1, …)`);
    if (label > max) max = label;
  }
  const k = numClasses ?? max + 1;
  if (max >= k) throw new Error(`label ${max} is out of range for ${k} classes`);
  if (k < 2) throw new Error(`a probe needs at least 2 classes, got ${k}`);
  return k;
}
