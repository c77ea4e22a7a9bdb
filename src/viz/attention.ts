import { layerName, type ActivationCache } from '../core/activations.js';
import { plotlyText, type Figure } from './figure.js';

/** What the attention figures read: one text's activations with attention maps (`embedTokens(…, { attentions: true })`). */
export type AttentionSource = Pick<ActivationCache, 'tokens' | 'attention' | 'attentionLayers'>;

export interface AttentionMapOptions {
  layer: number; // encoder layer 1 … L (layer 0, the embeddings, has no attention)
  head: number; // 0 … H-1
  title?: string;
}

function seqLength(matrix: Float32Array, tokens?: readonly string[]): number {
  const seq = Math.round(Math.sqrt(matrix.length));
  if (seq * seq !== matrix.length) throw new Error(`attention matrix has ${matrix.length} values, not a square [seq, seq]`);
  if (tokens && tokens.length !== seq) throw new Error(`${tokens.length} tokens for a ${seq}×${seq} attention matrix; pass one token per position`);
  return seq;
}

/** Mean over query rows of the entropy (bits) of each row's attention distribution. */
export function attentionEntropy(matrix: Float32Array): number {
  const seq = seqLength(matrix);
  let total = 0;
  for (let q = 0; q < seq; q++) {
    for (let k = 0; k < seq; k++) {
      const p = matrix[q * seq + k];
      if (p > 0) total -= p * Math.log2(p);
    }
  }
  return total / seq;
}

/** Mean over query rows of the weight on the first token (`<s>`): high values mark "no-op" heads. */
export function firstTokenAttention(matrix: Float32Array): number {
  const seq = seqLength(matrix);
  let total = 0;
  for (let q = 0; q < seq; q++) total += matrix[q * seq];
  return total / seq;
}

/** One head's attention as a heat map, query tokens down the side, key tokens along the top. */
export function attentionMap(activations: AttentionSource, options: AttentionMapOptions): Figure {
  const { layer, head } = options;
  const { tokens } = activations;
  const matrix = activations.attention(layer, head).data;
  const seq = seqLength(matrix, tokens);
  const positions = tokens.map((_, i) => i);
  // Numeric axes with token tick labels: a categorical axis would merge repeated tokens.
  const labels = tokens.map(plotlyText);
  const ticks = { tickmode: 'array' as const, tickvals: positions, ticktext: labels };
  const z = positions.map((q) => Array.from(matrix.subarray(q * seq, (q + 1) * seq)));
  const hover = positions.map((q) => positions.map((k) => `${labels[q]} → ${labels[k]}<br>${z[q][k].toFixed(3)}`));
  const side = Math.min(900, 220 + 28 * seq);
  return {
    data: [
      {
        type: 'heatmap',
        x: positions,
        y: positions,
        z,
        zmin: 0,
        zmax: 1,
        colorscale: 'Blues',
        reversescale: true, // Plotly's Blues runs dark → light; dark should mean more attention
        hovertext: hover,
        hovertemplate: '%{hovertext}<extra></extra>',
        colorbar: { title: { text: 'attention' } },
      },
    ],
    layout: {
      title: { text: options.title ?? `Attention, layer ${layer}, head ${head}` },
      xaxis: { ...ticks, title: { text: 'key' }, tickangle: -60, constrain: 'domain' },
      yaxis: { ...ticks, title: { text: 'query' }, autorange: 'reversed', scaleanchor: 'x' },
      width: side + 120,
      height: side,
    },
  };
}

export interface AttentionOverviewOptions {
  title?: string;
}

/** Heads × layers, two panels: mean attention entropy and mean attention to the first token. */
export function attentionOverview(activations: AttentionSource, options: AttentionOverviewOptions = {}): Figure {
  const { tokens } = activations;
  const layerIds = activations.attentionLayers;
  if (layerIds.length === 0) throw new Error('attentionOverview: no attention maps; run embedTokens with { attentions: true }');
  const attentions = layerIds.map((l) => activations.attention(l));
  attentions.forEach((heads) => heads.forEach((m) => seqLength(m, tokens)));
  const numHeads = Math.max(...attentions.map((h) => h.length));
  const layers = layerIds.map(layerName);
  const heads = Array.from({ length: numHeads }, (_, h) => h);
  const grid = (stat: (m: Float32Array) => number): (number | null)[][] => heads.map((h) => attentions.map((perHead) => (perHead[h] ? stat(perHead[h]) : null)));
  const maxEntropy = Math.log2(tokens.length);
  const common = { type: 'heatmap' as const, x: layers, y: heads };
  const first = plotlyText(tokens[0] ?? 'first token');
  return {
    data: [
      {
        ...common,
        z: grid(attentionEntropy),
        zmin: 0,
        zmax: maxEntropy,
        colorscale: 'Viridis',
        colorbar: { title: { text: 'bits' }, x: 0.45, len: 0.9 },
        hovertemplate: 'layer %{x}, head %{y}<br>entropy %{z:.2f} bits<extra></extra>',
        xaxis: 'x',
        yaxis: 'y',
      },
      {
        ...common,
        z: grid(firstTokenAttention),
        zmin: 0,
        zmax: 1,
        colorscale: 'YlOrRd',
        reversescale: true, // dark red = most attention
        colorbar: { title: { text: 'weight' }, x: 1.0, len: 0.9 },
        hovertemplate: `layer %{x}, head %{y}<br>attention to ${first} %{z:.2f}<extra></extra>`,
        xaxis: 'x2',
        yaxis: 'y2',
      },
    ],
    layout: {
      title: { text: options.title ?? `Attention heads over ${tokens.length} tokens` },
      xaxis: { domain: [0, 0.4], title: { text: 'Layer' }, type: 'category' },
      yaxis: { title: { text: 'Head' }, autorange: 'reversed', dtick: 1 },
      xaxis2: { domain: [0.55, 0.95], title: { text: 'Layer' }, type: 'category', anchor: 'y2' },
      yaxis2: { anchor: 'x2', autorange: 'reversed', dtick: 1 },
      annotations: [
        { text: `entropy (bits, max ${maxEntropy.toFixed(1)})`, x: 0.2, y: 1.0, xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false },
        { text: `attention to first token ${first}`, x: 0.75, y: 1.0, xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false },
      ],
      height: Math.max(360, 120 + 26 * numHeads),
      width: 980,
    },
  };
}
