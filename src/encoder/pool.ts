import type { SentencePooling, WordPooling } from '../core/config.js';

/**
 * Pools tokens [from, to) of row `row` of a padded batch output [batch, seq, dim] into `out` at `outOffset`.
 */
export function poolSpan(
  batch: Float32Array,
  seqLen: number,
  dim: number,
  row: number,
  from: number,
  to: number,
  mode: SentencePooling | WordPooling,
  out: Float32Array,
  outOffset: number,
): void {
  const base = row * seqLen * dim;
  if (mode === 'cls' || mode === 'first' || mode === 'last') {
    const t = mode === 'last' ? to - 1 : from;
    out.set(batch.subarray(base + t * dim, base + (t + 1) * dim), outOffset);
    return;
  }
  const acc = new Float64Array(dim);
  if (mode === 'max') acc.fill(-Infinity);
  for (let t = from; t < to; t++) {
    const o = base + t * dim;
    if (mode === 'mean') for (let d = 0; d < dim; d++) acc[d] += batch[o + d];
    else for (let d = 0; d < dim; d++) if (batch[o + d] > acc[d]) acc[d] = batch[o + d];
  }
  const scale = mode === 'mean' ? 1 / (to - from) : 1;
  for (let d = 0; d < dim; d++) out[outOffset + d] = acc[d] * scale;
}
