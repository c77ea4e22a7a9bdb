import type { LayerStack } from '../core/activations.js';
import { Random } from '../core/random.js';
import { centerColumns, dot } from './linalg.js';

/** Gram matrix K = Xc Xcᵀ of the column-centred rows (the centred kernel H K H of linear CKA), [rows, rows]. */
function centeredGram(data: ArrayLike<number>, rows: number, dim: number): Float64Array {
  const x = centerColumns(data, rows, dim);
  const k = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j <= i; j++) k[i * rows + j] = k[j * rows + i] = dot(x, i * dim, x, j * dim, dim);
  }
  return k;
}

/** ⟨Kx, Ky⟩_F / (‖Kx‖_F ‖Ky‖_F). */
function ckaFromGrams(kx: Float64Array, ky: Float64Array): number {
  const n = kx.length;
  return dot(kx, 0, ky, 0, n) / Math.sqrt(dot(kx, 0, kx, 0, n) * dot(ky, 0, ky, 0, n));
}

/**
 * Linear CKA (Kornblith et al., 2019) between two representations of the same rows:
 * ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) on column-centred X [rows, dimX] and Y [rows, dimY].
 */
export function linearCKA(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, dimX: number, dimY: number): number {
  return ckaFromGrams(centeredGram(x, rows, dimX), centeredGram(y, rows, dimY));
}

export interface CkaOptions {
  /** Rows beyond this are subsampled (seeded) first: the cost grows with rows² per layer. Default 1000. */
  maxRows?: number;
  seed?: number;
}

/** Layer × layer linear CKA over the stack's layers, row-major [n, n] with n = stack.layers.length. */
export function ckaMatrix(stack: LayerStack, options: CkaOptions = {}): Float64Array {
  const sample = stack.select(new Random(options.seed ?? 0).sample(stack.rows, options.maxRows ?? 1000));
  const grams = sample.layers.map((l) => centeredGram(sample.layer(l).data, sample.rows, sample.hiddenSize));
  const n = grams.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) out[i * n + j] = out[j * n + i] = i === j ? 1 : ckaFromGrams(grams[i], grams[j]);
  }
  return out;
}
