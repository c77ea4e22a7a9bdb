import type { Data, Layout } from 'plotly.js-dist';
import { UMAP } from 'umap-js';
import { layerName, type LayerStack } from '../core/activations.js';
import { Random } from '../core/random.js';
import { paletteColor, plotlyText, type Figure } from './figure.js';
import { pca } from './pca.js';
import { tsne } from './tsne.js';

export type ProjectionMethod = 'pca' | 'tsne' | 'umap';

export interface EmbeddingScatterOptions {
  /** Layers to show side by side (0 = embeddings). Default: the stack's first, middle and last. */
  layers?: readonly number[];
  /** One label per row; points are coloured by it. */
  labels: readonly (string | number)[];
  /** One text per row, shown on hover (the sentence, or the word in context). */
  texts?: readonly string[];
  method?: ProjectionMethod; // default 'pca'
  /** Rows beyond this are subsampled (seeded): t-SNE is O(n²). Default 2000. */
  maxPoints?: number;
  seed?: number; // subsampling and UMAP; PCA and t-SNE (PCA-initialised) are deterministic
  title?: string;
}

const METHODS: Record<ProjectionMethod, { title: string; axis: string }> = {
  pca: { title: 'PCA', axis: 'PC' },
  tsne: { title: 't-SNE', axis: 't-SNE ' },
  umap: { title: 'UMAP', axis: 'UMAP ' },
};

/** Projects a row-major [rows, dim] matrix to 2-D; returns row-major [rows, 2]. */
export function project2d(data: Float32Array, rows: number, dim: number, method: ProjectionMethod, seed = 0): Float64Array {
  if (method === 'pca') return pca(data, rows, dim, 2).scores;
  if (method === 'tsne') return tsne(data, rows, dim);
  const vectors = Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * dim, (r + 1) * dim)));
  const rng = new Random(seed);
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, rows - 1), random: () => rng.next() });
  return Float64Array.from(umap.fit(vectors).flat());
}

/** 2-D projections of chosen layers side by side, one colour per label, hover shows each row's text. */
export function embeddingScatter(embeddings: LayerStack, options: EmbeddingScatterOptions): Figure {
  const { rows, hiddenSize: dim } = embeddings;
  const method = options.method ?? 'pca';
  if (options.labels.length !== rows) throw new Error(`embeddingScatter: ${options.labels.length} labels for ${rows} rows; pass one label per row`);
  if (options.texts && options.texts.length !== rows) throw new Error(`embeddingScatter: ${options.texts.length} texts for ${rows} rows; pass one text per row`);
  const all = embeddings.layers;
  const layers = options.layers ?? [...new Set([all[0], all[Math.round((all.length - 1) / 2)], all[all.length - 1]])];
  const bad = layers.filter((l) => !embeddings.has(l));
  if (bad.length) throw new Error(`embeddingScatter: layer(s) ${bad.join(', ')} not in the embeddings (layers ${all.map(layerName).join(', ')})`);
  const keep = new Random(options.seed ?? 0).sample(rows, options.maxPoints ?? 2000);
  const sample = embeddings.select(keep);
  const labels = keep.map((r) => String(options.labels[r]));
  const texts = keep.map((r) => plotlyText(options.texts?.[r] ?? `row ${r}`));
  const distinct = [...new Set(labels)];

  const data: Data[] = [];
  const layout: Partial<Layout> = {
    title: { text: options.title ?? `${METHODS[method].title} of hidden states, coloured by label${keep.length < rows ? ` (${keep.length} of ${rows} rows)` : ''}` },
    height: 460,
    hovermode: 'closest',
    annotations: [],
    legend: { title: { text: 'label' } },
  };
  const gap = 0.06;
  const width = (1 - gap * (layers.length - 1)) / layers.length;
  layers.forEach((layer, i) => {
    const xy = project2d(sample.layer(layer).data, keep.length, dim, method, options.seed ?? 0);
    const suffix = i === 0 ? '' : String(i + 1);
    distinct.forEach((label, c) => {
      const idx = labels.flatMap((l, k) => (l === label ? [k] : []));
      data.push({
        type: 'scatter',
        mode: 'markers',
        x: idx.map((k) => xy[k * 2]),
        y: idx.map((k) => xy[k * 2 + 1]),
        text: idx.map((k) => texts[k]),
        name: plotlyText(label),
        legendgroup: label,
        showlegend: i === 0,
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        marker: { color: paletteColor(c), size: 6, opacity: 0.8 },
        hovertemplate: `%{text}<extra>${plotlyText(label)}</extra>`,
      });
    });
    const domain: [number, number] = [i * (width + gap), i * (width + gap) + width];
    const axisName = METHODS[method].axis;
    Object.assign(layout, {
      [`xaxis${suffix}`]: { domain, anchor: `y${suffix}`, title: { text: `${axisName}1` }, zeroline: false },
      [`yaxis${suffix}`]: { anchor: `x${suffix}`, title: { text: i === 0 ? `${axisName}2` : '' }, zeroline: false },
    });
    layout.annotations!.push({
      text: `layer ${layerName(layer)}`,
      x: (domain[0] + domain[1]) / 2,
      y: 1.0,
      xref: 'paper',
      yref: 'paper',
      xanchor: 'center',
      yanchor: 'bottom',
      showarrow: false,
      font: { size: 14 },
    });
  });
  return { data, layout };
}
