/**
 * One matrix per hidden state, Hugging Face style: `hiddenStates[0]` is the embeddings
 * output, `hiddenStates[ℓ]` the output of encoder layer ℓ. Each is row-major [rows, dim].
 */
export interface LayerMatrices {
  hiddenStates: Float32Array[];
  rows: number;
  dim: number;
}

/** Layer names used on axes and in tables: `emb`, `1`, … `L`. */
export function layerNames(numHiddenStates: number): string[] {
  return Array.from({ length: numHiddenStates }, (_, l) => (l === 0 ? 'emb' : String(l)));
}
