import { layerName, type LayerStack } from '../core/activations.js';
import { ckaMatrix, type CkaOptions } from './cka.js';
import type { Figure } from './figure.js';

export interface LayerSimilarityOptions extends CkaOptions {
  title?: string;
}

/** Layer × layer linear CKA heat map: which hidden states represent the same rows alike. */
export function layerSimilarity(embeddings: LayerStack, options: LayerSimilarityOptions = {}): Figure {
  const n = embeddings.layers.length;
  const cka = ckaMatrix(embeddings, options);
  const names = embeddings.layers.map(layerName);
  const z = names.map((_, i) => Array.from(cka.subarray(i * n, (i + 1) * n)));
  const sampled = embeddings.rows > (options.maxRows ?? 1000) ? ` (${options.maxRows ?? 1000} of ${embeddings.rows} rows)` : '';
  return {
    data: [
      {
        type: 'heatmap',
        x: names,
        y: names,
        z,
        zmin: 0,
        zmax: 1,
        colorscale: 'Viridis',
        colorbar: { title: { text: 'linear CKA' } },
        hovertemplate: 'layer %{y} vs layer %{x}<br>CKA %{z:.3f}<extra></extra>',
      },
    ],
    layout: {
      title: { text: options.title ?? `Linear CKA between layers${sampled}` },
      xaxis: { title: { text: 'Layer' }, type: 'category', constrain: 'domain' },
      yaxis: { title: { text: 'Layer' }, type: 'category', autorange: 'reversed', scaleanchor: 'x' },
      width: 620,
      height: 560,
    },
  };
}
