import type { Data, Layout } from 'plotly.js-dist';
import type { ResultRow, TaskSummary } from '../results/types.js';
import type { ProbingTask } from '../tasks/types.js';
import { layerCurvesGrid } from '../viz/grid.js';
import { starsDevLayer } from '../viz/curves.js';
import type { Figure } from '../viz/figure.js';
import { layerHeatmap } from '../viz/heatmap.js';
import type { Exploration } from './explore.js';
import type { ReportFigure } from './report.js';
import type { LabFigure, ReportText } from './text/types.js';

type Titled = { title?: { text?: string } | string };

/**
 * The exploration builders label their axes in English; a report in another language swaps those
 * words (text.figure.words): a whole label, or the longest known beginning that ends a word
 * ("layer 6", "entropy (bits, max 3.6)"). It also sets the title and the number separators.
 */
export function localizeFigure(fig: Figure, text: ReportText, title?: string): Figure {
  const words = text.figure.words;
  const keys = Object.keys(words).sort((a, b) => b.length - a.length);
  const swap = (s: string) => {
    const key = keys.find((k) => s === k || (s.startsWith(k) && /^[^\p{L}]/u.test(s.slice(k.length))));
    return key ? words[key] + s.slice(key.length) : s;
  };
  const retitle = (o: Titled | undefined) => {
    if (o && typeof o.title === 'object' && typeof o.title.text === 'string') o.title.text = swap(o.title.text);
  };
  const layout: Partial<Layout> = structuredClone(fig.layout);
  for (const [key, value] of Object.entries(layout)) if (/^[xy]axis\d*$/.test(key)) retitle(value as Titled);
  retitle(layout.legend as Titled | undefined);
  for (const a of layout.annotations ?? []) if (typeof a.text === 'string') a.text = swap(a.text);
  const data = fig.data.map((trace) => {
    const copy = { ...trace } as Data & { colorbar?: Titled };
    if (copy.colorbar) retitle((copy.colorbar = structuredClone(copy.colorbar)));
    return copy;
  });
  if (title) layout.title = { text: title };
  layout.separators = text.separators;
  return { ...fig, data, layout };
}

export interface FigureSource {
  rows: readonly ResultRow[];
  summaries: readonly TaskSummary[];
  tasks: readonly ProbingTask[];
  exploration?: Exploration;
}

/** The lab's figures in report order, labelled in the report's language: curves as small multiples, one panel per task. */
export function labFigures(source: FigureSource, text: ReportText): ReportFigure[] {
  const f = text.figure;
  const captions = text.results.figures;
  const { rows } = source;
  const categories = Object.fromEntries(source.tasks.map((t) => [t.name, t.category]));
  const taskTitles = Object.fromEntries(source.tasks.map((t) => [t.name, `${t.name} (${text.system.category[t.category]})`]));
  const labels = { layer: f.layer, baselines: f.baselines, control: f.control, best: f.best, band: f.band };
  const grid = (metric: 'accuracy' | 'selectivity' | 'mdl_compression', name: string) =>
    layerCurvesGrid(rows, { metric, labels: { ...labels, metric: name }, taskTitles, title: f.gridTitle(name, starsDevLayer(rows, metric)), separators: text.separators });
  const has = (metric: string) => rows.some((r) => r.metric === metric);
  const figures: Array<{ name: LabFigure; figure: Figure }> = [
    { name: 'accuracy-curves', figure: grid('accuracy', f.accuracy) },
    { name: 'heatmap', figure: layerHeatmap(rows, { categories, summaries: source.summaries, title: f.heatmapTitle, labels: { layer: f.layer, colorbar: f.normalised, expected: f.expected, categories: text.system.category }, separators: text.separators, formatValue: (x) => text.num(x, 2) }) },
    ...(has('selectivity') ? [{ name: 'selectivity-curves' as const, figure: grid('selectivity', f.selectivity) }] : []),
    ...(has('mdl_compression') ? [{ name: 'mdl-curves' as const, figure: grid('mdl_compression', f.mdl) }] : []),
  ];
  const explored = source.exploration?.figures ?? {};
  for (const name of ['layer-similarity', 'sentence-scatter', 'context-bank', 'attention-overview'] as const) {
    if (explored[name]) figures.push({ name, figure: localizeFigure(explored[name], text, f.titles[name]) });
  }
  return figures.map((x) => ({ ...x, caption: captions[x.name] }));
}
