import type { Data } from 'plotly.js-dist';
import { cosineSimilarity } from '../core/vectors.js';
import { layerTicks, paletteColor, plotlyText, type Figure } from './figure.js';

/**
 * One item (a sentence, or a word in its context) as one vector per layer: `hiddenStates[k]` is layer
 * `layers[k]` (default k, 0 = embeddings) — e.g. `{ label, layers: stack.layers, hiddenStates: stack.rowAcrossLayers(row) }`.
 */
export interface ContextItem {
  label: string;
  hiddenStates: Float32Array[];
  layers?: readonly number[];
}

/** Two items to compare, by label or by index into the items. */
export type ItemPair = readonly [string | number, string | number];

export interface ContextSimilarityOptions {
  title?: string;
}

function find(items: readonly ContextItem[], key: string | number): ContextItem {
  const item = typeof key === 'number' ? items[key] : items.find((i) => i.label === key);
  if (!item) throw new Error(`contextSimilarity: no item ${JSON.stringify(key)}; items: ${items.map((i) => i.label).join(', ')}`);
  return item;
}

/** Cosine similarity of each pair at every layer, e.g. "bank" (river) vs "bank" (loan) across the encoder. */
export function contextSimilarity(items: readonly ContextItem[], pairs: readonly ItemPair[], options: ContextSimilarityOptions = {}): Figure {
  if (pairs.length === 0) throw new Error('contextSimilarity: no pairs given; pass e.g. [["bank (river)", "bank (loan)"]]');
  let numLayers = 0;
  const data: Data[] = pairs.map(([ka, kb], i) => {
    const a = find(items, ka);
    const b = find(items, kb);
    const layers = a.layers ?? a.hiddenStates.map((_, k) => k);
    if (a.hiddenStates.length !== b.hiddenStates.length || layers.join() !== (b.layers ?? layers).join()) throw new Error(`contextSimilarity: "${a.label}" and "${b.label}" hold different layers (${layers.join(', ')} vs ${(b.layers ?? b.hiddenStates.map((_, k) => k)).join(', ')})`);
    if (layers.length !== a.hiddenStates.length) throw new Error(`contextSimilarity: "${a.label}" names ${layers.length} layers for ${a.hiddenStates.length} vectors`);
    numLayers = Math.max(numLayers, Math.max(...layers) + 1);
    const name = `${plotlyText(a.label)} ↔ ${plotlyText(b.label)}`;
    return {
      type: 'scatter',
      mode: 'lines+markers',
      x: [...layers],
      y: a.hiddenStates.map((v, l) => cosineSimilarity(v, b.hiddenStates[l])),
      name,
      line: { color: paletteColor(i), width: 2 },
      hovertemplate: `${name}<br>layer %{x}<br>cosine %{y:.3f}<extra></extra>`,
    };
  });
  return {
    data,
    layout: {
      title: { text: options.title ?? 'Cosine similarity across layers' },
      xaxis: { title: { text: 'Layer' }, ...layerTicks(numLayers), tickmode: 'array' },
      yaxis: { title: { text: 'cosine similarity' } },
      height: 440,
    },
  };
}
