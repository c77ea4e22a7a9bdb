import type { LayerStack } from './activations.js';
import { layerName } from './activations.js';
import { Random } from './random.js';
import { cosineSimilarity, norm } from './vectors.js';

/** Per-layer geometry of a set of vectors (texts, words or tokens). */
export interface LayerGeometry {
  layer: number;
  layer_name: string;
  /** Mean L2 norm of the vectors. */
  norm: number;
  /** Mean cosine between an item's vector here and at the stack's previous layer (NaN for the first). */
  mean_cosine_to_previous_layer: number;
  /** Mean cosine between random pairs of different items: anisotropy (Ethayarajh 2019). */
  mean_pairwise_cosine: number;
}

/** Norms, drift from the previous layer and anisotropy, one row per layer of the stack. */
export function layerGeometry(stack: LayerStack, seed = 0, pairs = 2000): LayerGeometry[] {
  const { rows } = stack;
  const rng = new Random(seed);
  const pairList = rows > 1 ? Array.from({ length: pairs }, () => {
    const a = rng.int(rows);
    return [a, (a + 1 + rng.int(rows - 1)) % rows] as const;
  }) : [];
  return stack.layers.map((layer, k) => {
    const previous = k > 0 ? stack.layers[k - 1] : undefined;
    let norms = 0;
    let toPrevious = 0;
    for (let r = 0; r < rows; r++) {
      const v = stack.row(r, layer);
      norms += norm(v);
      if (previous !== undefined) toPrevious += cosineSimilarity(v, stack.row(r, previous)) || 0;
    }
    const pairwise = pairList.reduce((s, [a, b]) => s + (cosineSimilarity(stack.row(a, layer), stack.row(b, layer)) || 0), 0);
    return {
      layer,
      layer_name: layerName(layer),
      norm: norms / rows,
      mean_cosine_to_previous_layer: previous !== undefined ? toPrevious / rows : NaN,
      mean_pairwise_cosine: pairList.length ? pairwise / pairList.length : NaN,
    };
  });
}
