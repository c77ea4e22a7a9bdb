import { Random } from '../random.js';

/** Row indices to keep: all of them, or a seeded sample of `maxRows` in their original order. */
export function sampleRows(rows: number, maxRows: number, seed: number): number[] {
  const all = Array.from({ length: rows }, (_, i) => i);
  if (rows <= maxRows) return all;
  return new Random(seed).shuffle(all).slice(0, maxRows).sort((a, b) => a - b);
}

/** Copies the chosen rows of a row-major [rows, dim] matrix. */
export function pickRows(data: Float32Array, dim: number, keep: number[]): Float32Array {
  const out = new Float32Array(keep.length * dim);
  keep.forEach((r, i) => out.set(data.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}
