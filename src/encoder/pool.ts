import type { SentencePooling, WordPooling } from '../core/config.js';
import type { PoolingWeights } from './onnx/pooling.js';

/** Tokens [from, to) of one batch row, pooled into one output row. */
export interface Span {
  from: number;
  to: number;
}

export type Pooling = SentencePooling | WordPooling;

/** Poolings that are a weighted sum of tokens, done inside the graph (`poolingEdits`); max is not. */
export function pooledInGraph(mode: Pooling): mode is Exclude<Pooling, 'max'> {
  return mode !== 'max';
}

/**
 * The weights [batch, rows, seq] that pool each batch row's spans inside the graph: 1/n over a span
 * for `mean`, a single 1 on its first token (`cls`, `first`) or last (`last`); padding weighs 0, so a
 * text's vector does not depend on its neighbours' lengths. At least 2 rows, so every batch's product
 * is a matrix product (ONNX Runtime runs a single row through another kernel).
 */
export function poolingWeights(spansPerRow: readonly (readonly Span[])[], seqLen: number, mode: Exclude<Pooling, 'max'>): PoolingWeights {
  const rows = Math.max(2, ...spansPerRow.map((spans) => spans.length));
  const weights = new Float32Array(spansPerRow.length * rows * seqLen);
  spansPerRow.forEach((spans, b) =>
    spans.forEach(({ from, to }, r) => {
      const base = (b * rows + r) * seqLen;
      if (mode === 'mean') weights.fill(1 / (to - from), base + from, base + to);
      else weights[base + (mode === 'last' ? to - 1 : from)] = 1;
    }),
  );
  return { rows, weights };
}

/** Max-pools tokens [from, to) of row `row` of a padded batch output [batch, seq, dim] into `out` at `outOffset`. */
export function maxPoolSpan(batch: Float32Array, seqLen: number, dim: number, row: number, { from, to }: Span, out: Float32Array, outOffset: number): void {
  const base = row * seqLen * dim;
  out.set(batch.subarray(base + from * dim, base + (from + 1) * dim), outOffset);
  for (let t = from + 1; t < to; t++) {
    const o = base + t * dim;
    for (let d = 0; d < dim; d++) if (batch[o + d] > out[outOffset + d]) out[outOffset + d] = batch[o + d];
  }
}
