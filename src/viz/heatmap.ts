import type { Data } from 'plotly.js-dist';
import type { Metric, ProbeName, ResultRow, TaskSummary } from '../results/types.js';
import { meanCI } from '../core/stats.js';
import { layerNames } from '../core/activations.js';
import { layerTicks, plotlyText, type Figure } from './figure.js';
import { chooseProbe, chooseTasks, valuesByTaskLayer } from '../results/select.js';
import { expectedLayer } from '../results/summary.js';

export interface LayerHeatmapOptions {
  /** task → category (`surface`, `syntax`, `semantics`, …); rows are grouped by it. Missing tasks go to `other`. */
  categories?: Readonly<Record<string, string>>;
  metric?: Metric; // default 'accuracy'
  probe?: ProbeName; // default linear when present
  tasks?: readonly string[];
  /** Expected layers are taken from here when given, else computed from the mean scores. */
  summaries?: readonly TaskSummary[];
  title?: string;
  /** Words shown (English by default): the layer axis, the colour bar, the expected-layer mark. */
  labels?: { layer?: string; colorbar?: string; expected?: string; categories?: Readonly<Record<string, string>> };
  /** Plotly's decimal and thousands separators for ticks and hovers, e.g. ", " for Russian. */
  separators?: string;
  /** How a cell's raw mean is written; default two decimals with a point. */
  formatValue?: (value: number) => string;
}

const CATEGORY_ORDER = ['surface', 'syntax', 'semantics'];

function categoryRank(category: string): number {
  const i = CATEGORY_ORDER.indexOf(category);
  return i >= 0 ? i : category === 'other' ? CATEGORY_ORDER.length + 1 : CATEGORY_ORDER.length;
}

/**
 * Tasks × layers: colour is the metric min–max normalised within each task (so where a task peaks is
 * visible whatever its scale), the cell text the raw mean over seeds, tasks grouped by category, and
 * each task's expected layer marked with a red tick.
 */
export function layerHeatmap(rows: readonly ResultRow[], options: LayerHeatmapOptions = {}): Figure {
  const metric = options.metric ?? 'accuracy';
  const probe = chooseProbe(rows, metric, options.probe);
  const values = valuesByTaskLayer(rows, metric, probe);
  const category = (task: string): string => options.categories?.[task] ?? 'other';
  const shown = (task: string): string => plotlyText(options.labels?.categories?.[category(task)] ?? category(task));
  const format = options.formatValue ?? ((m: number) => m.toFixed(2));
  const tasks = chooseTasks(values, options.tasks)
    .map((task, i) => ({ task, i }))
    .sort((a, b) => categoryRank(category(a.task)) - categoryRank(category(b.task)) || category(a.task).localeCompare(category(b.task)) || a.i - b.i)
    .map((t) => t.task);
  const numLayers = 1 + Math.max(...tasks.flatMap((t) => [...values.get(t)!.keys()]));
  const names = layerNames(numLayers);

  const z: (number | null)[][] = [];
  const text: string[][] = [];
  const hover: string[][] = [];
  const expected: number[] = [];
  for (const task of tasks) {
    const means = names.map((_, l) => {
      const v = values.get(task)!.get(l);
      return v ? meanCI(v).mean : NaN;
    });
    const finite = means.filter(Number.isFinite);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    z.push(means.map((m) => (Number.isFinite(m) ? (hi > lo ? (m - lo) / (hi - lo) : 0.5) : null)));
    text.push(means.map((m) => (Number.isFinite(m) ? format(m) : '')));
    hover.push(means.map((m, l) => `${plotlyText(task)} (${shown(task)})<br>layer ${names[l]}<br>${metric} ${Number.isFinite(m) ? m.toFixed(4) : 'n/a'}`));
    expected.push(options.summaries?.find((s) => s.task === task)?.expected_layer ?? expectedLayer(means));
  }
  const y = [tasks.map(shown), tasks.map(plotlyText)];

  const data: Data[] = [
    {
      type: 'heatmap',
      x: names.map((_, l) => l),
      y,
      z,
      text,
      texttemplate: '%{text}',
      hovertext: hover,
      hovertemplate: '%{hovertext}<extra></extra>',
      colorscale: 'Viridis',
      zmin: 0,
      zmax: 1,
      colorbar: { title: { text: options.labels?.colorbar ?? `${metric}<br>(min–max per task)` } },
      name: metric,
    },
    {
      type: 'scatter',
      mode: 'markers',
      x: expected,
      y,
      name: options.labels?.expected ?? 'expected layer',
      // A tall tick rather than a blob, so the cell's number stays readable under it.
      marker: { symbol: 'line-ns-open', size: 30, color: '#e8112d', line: { color: '#e8112d', width: 3 } },
      hovertemplate: '%{y}<br>expected layer %{x:.2f}<extra></extra>',
    },
  ];
  return {
    data,
    layout: {
      title: { text: options.title ?? `${metric} by layer, normalised per task (${probe} probe)` },
      xaxis: { title: { text: options.labels?.layer ?? 'Layer' }, ...layerTicks(numLayers), tickmode: 'array' },
      yaxis: { type: 'multicategory', autorange: 'reversed' },
      ...(options.separators ? { separators: options.separators } : {}),
      showlegend: true,
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.02, yanchor: 'bottom' },
      height: Math.max(320, 110 + 34 * tasks.length),
      // Room for the two levels of row labels (category, task) at ~7 px a character.
      margin: { l: Math.max(180, 50 + 7 * (Math.max(...y[0].map((c) => c.length)) + Math.max(...y[1].map((t) => t.length)))) },
    },
  };
}
