import { layerName, type ActivationCache } from '../core/activations.js';
import { cosineSimilarity, norm } from '../core/vectors.js';
import { plotlyText, type Figure } from './figure.js';

/** What the token maps read: one text's tokens and hidden states (`embedTokens`). */
export type TokenStatesSource = Pick<ActivationCache, 'tokens' | 'hiddenStates'>;

/** Numeric axes with token tick labels: a categorical axis would merge repeated tokens. */
function tokenAxis(tokens: readonly string[]) {
  return { tickmode: 'array' as const, tickvals: tokens.map((_, i) => i), ticktext: tokens.map(plotlyText), tickangle: -60 };
}

export interface TokenNormMapOptions {
  title?: string;
}

/**
 * Each token's hidden-state norm at every layer (layers down, tokens across), beside the cosine of
 * its vector with the previous layer's: where a layer rewrites a token and where it passes it on.
 */
export function tokenNormMap(activations: TokenStatesSource, options: TokenNormMapOptions = {}): Figure {
  const { tokens, hiddenStates } = activations;
  const layers = hiddenStates.layers;
  const positions = tokens.map((_, i) => i);
  const names = layers.map(layerName);
  const norms = layers.map((l) => positions.map((t) => norm(hiddenStates.row(t, l))));
  const change = layers.map((l, k) => positions.map((t) => (k === 0 ? null : cosineSimilarity(hiddenStates.row(t, l), hiddenStates.row(t, layers[k - 1])))));
  const labels = tokens.map(plotlyText);
  const hover = (what: string) => layers.map((_, k) => positions.map((t) => `${labels[t]} (position ${t}), layer ${names[k]}<br>${what}`));
  return {
    data: [
      {
        type: 'heatmap', x: positions, y: names, z: norms, colorscale: 'Viridis',
        colorbar: { title: { text: 'norm' }, x: 0.46, len: 0.9 },
        hovertext: hover('norm'), hovertemplate: '%{hovertext} %{z:.2f}<extra></extra>', xaxis: 'x', yaxis: 'y',
      },
      {
        type: 'heatmap', x: positions, y: names, z: change, zmin: -1, zmax: 1, colorscale: 'RdBu',
        colorbar: { title: { text: 'cosine' }, x: 1.0, len: 0.9 },
        hovertext: hover('cosine with the layer below'), hovertemplate: '%{hovertext} %{z:.3f}<extra></extra>', xaxis: 'x2', yaxis: 'y2',
      },
    ],
    layout: {
      title: { text: options.title ?? 'Hidden states of each token, layer by layer' },
      xaxis: { ...tokenAxis(tokens), domain: [0, 0.42] },
      yaxis: { title: { text: 'layer' }, type: 'category', autorange: 'reversed' },
      xaxis2: { ...tokenAxis(tokens), domain: [0.54, 0.96], anchor: 'y2' },
      yaxis2: { type: 'category', autorange: 'reversed', anchor: 'x2' },
      annotations: [
        { text: 'norm ‖h‖', x: 0.21, y: 1.0, xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false },
        { text: 'cosine with the layer below', x: 0.75, y: 1.0, xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false },
      ],
      width: 1000,
      height: Math.max(360, 200 + 24 * layers.length),
      margin: { b: 110 },
    },
  };
}

export interface TokenCosineMapOptions {
  /** The layer shown first (default the last); a menu switches between all of them. */
  layer?: number;
  title?: string;
}

/** Cosine similarity between the text's tokens at one layer, with a menu to switch layers. */
export function tokenCosineMap(activations: TokenStatesSource, options: TokenCosineMapOptions = {}): Figure {
  const { tokens, hiddenStates } = activations;
  const layers = hiddenStates.layers;
  const shown = options.layer ?? layers[layers.length - 1];
  if (!layers.includes(shown)) throw new Error(`layer ${shown} is not among the hidden states (${layers.map(layerName).join(', ')})`);
  const positions = tokens.map((_, i) => i);
  const cosines = (l: number) => positions.map((a) => positions.map((b) => cosineSimilarity(hiddenStates.row(a, l), hiddenStates.row(b, l))));
  const byLayer = layers.map(cosines);
  const labels = tokens.map(plotlyText);
  const hover = positions.map((a) => positions.map((b) => `${labels[a]} · ${labels[b]}`));
  const side = Math.min(900, 260 + 26 * tokens.length);
  const title = (l: number) => options.title ?? `Cosine between tokens, layer ${layerName(l)}`;
  return {
    data: [
      {
        type: 'heatmap', x: positions, y: positions, z: byLayer[layers.indexOf(shown)], zmin: -1, zmax: 1, colorscale: 'RdBu',
        colorbar: { title: { text: 'cosine' } }, hovertext: hover, hovertemplate: '%{hovertext}<br>%{z:.3f}<extra></extra>',
      },
    ],
    layout: {
      title: { text: title(shown) },
      xaxis: { ...tokenAxis(tokens), constrain: 'domain' },
      yaxis: { ...tokenAxis(tokens), tickangle: 0, autorange: 'reversed', scaleanchor: 'x' },
      updatemenus: [
        {
          type: 'dropdown', x: 0, y: 1.12, xanchor: 'left', yanchor: 'bottom', active: layers.indexOf(shown),
          buttons: layers.map((l, k) => ({ label: `layer ${layerName(l)}`, method: 'update', args: [{ z: [byLayer[k]] }, { 'title.text': title(l) }] })),
        },
      ],
      width: side + 140,
      height: side + 60,
      margin: { t: 110 },
    },
  };
}
