import * as dfd from 'danfojs-node';
import { Random } from '../random.js';
import { layerNames, type LayerMatrices } from './types.js';

function rowNorm(m: Float32Array, r: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += m[r * dim + d] ** 2;
  return Math.sqrt(s);
}

function rowCosine(a: Float32Array, ra: number, b: Float32Array, rb: number, dim: number): number {
  let dot = 0;
  for (let d = 0; d < dim; d++) dot += a[ra * dim + d] * b[rb * dim + d];
  return dot / (rowNorm(a, ra, dim) * rowNorm(b, rb, dim) || 1);
}

/**
 * One layer's vectors as a table people can read: `id`, `text`, optional `label`, then one
 * column per dimension (`d0`, `d1`, …). `layer` indexes `embeddings.hiddenStates`.
 */
export function embeddingsFrame(embeddings: LayerMatrices & { texts?: string[] }, layer: number, options: { labels?: Array<string | number>; texts?: string[] } = {}): dfd.DataFrame {
  const { rows, dim } = embeddings;
  const m = embeddings.hiddenStates[layer];
  if (!m) throw new Error(`layer ${layer} is not in these embeddings (they hold ${embeddings.hiddenStates.length} matrices)`);
  const texts = options.texts ?? embeddings.texts;
  const columns: Record<string, Array<string | number>> = { id: Array.from({ length: rows }, (_, i) => i) };
  if (texts) columns.text = texts.slice(0, rows);
  if (options.labels) columns.label = options.labels.slice(0, rows);
  for (let d = 0; d < dim; d++) columns[`d${d}`] = Array.from({ length: rows }, (_, r) => m[r * dim + d]);
  return new dfd.DataFrame(columns);
}

/** Per-layer statistics of a set of vectors, as plain rows (the frame below shows them). */
export interface LayerStats {
  layer: number;
  layer_name: string;
  /** Mean L2 norm of the vectors. */
  norm: number;
  /** Mean cosine between an item's vector here and at the previous layer (NaN at layer 0). */
  mean_cosine_to_previous_layer: number;
  /** Mean cosine between random pairs of different items: anisotropy (Ethayarajh 2019). */
  mean_pairwise_cosine: number;
}

export function layerStats(embeddings: LayerMatrices & { layers?: number[] }, seed = 0, pairs = 2000): LayerStats[] {
  const { rows, dim, hiddenStates } = embeddings;
  const layerIds = embeddings.layers ?? hiddenStates.map((_, k) => k);
  const names = layerNames(Math.max(...layerIds) + 1);
  const rng = new Random(seed);
  const pairList = rows > 1 ? Array.from({ length: pairs }, () => {
    const a = rng.int(rows);
    const b = (a + 1 + rng.int(rows - 1)) % rows;
    return [a, b] as const;
  }) : [];
  return hiddenStates.map((m, k) => {
    let norm = 0;
    let toPrevious = 0;
    for (let r = 0; r < rows; r++) {
      norm += rowNorm(m, r, dim);
      if (k > 0) toPrevious += rowCosine(m, r, hiddenStates[k - 1], r, dim);
    }
    const pairwise = pairList.reduce((s, [a, b]) => s + rowCosine(m, a, m, b, dim), 0);
    return {
      layer: layerIds[k],
      layer_name: names[layerIds[k]],
      norm: norm / rows,
      mean_cosine_to_previous_layer: k > 0 ? toPrevious / rows : NaN,
      mean_pairwise_cosine: pairList.length ? pairwise / pairList.length : NaN,
    };
  });
}

/** Long-format summary frame: one row per layer with `layer`, `norm`, `mean_cosine_to_previous_layer`, … */
export function layerSummaryFrame(embeddings: LayerMatrices & { layers?: number[] }): dfd.DataFrame {
  return new dfd.DataFrame(layerStats(embeddings) as unknown as Array<Record<string, string | number>>);
}
