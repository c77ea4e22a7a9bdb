import type { Data } from 'plotly.js-dist';
import type { Metric, ProbeName, ResultRow } from '../results/types.js';
import { chooseProbe, valuesByTaskLayer } from '../results/select.js';
import { bandTrace, curve, PROPORTIONS } from './curves.js';
import { paletteColor, plotlyText, type Figure } from './figure.js';
import { panelGrid } from './grid.js';

/** One model's results, named as the figure should show it. */
export interface ModelRun {
  name: string;
  rows: readonly ResultRow[];
}

export interface ModelComparisonOptions {
  metric?: Metric; // default 'accuracy'
  probe?: ProbeName;
  /** Tasks to draw; default every task some model has, in first-seen order. */
  tasks?: readonly string[];
  columns?: number; // default 3
  title?: string;
  labels?: { depth?: string; metric?: string; band?: string };
  taskTitles?: Readonly<Record<string, string>>;
  separators?: string;
}

/**
 * Small multiples of one metric per task, one line per model, the layer axis normalised to depth
 * (x = layer / L, L = the model's last layer) so models of different depths line up: the embeddings
 * at 0, the last layer at 1. Bands as in `layerCurves` (for accuracy the bootstrap interval).
 */
export function modelComparison(runs: readonly ModelRun[], options: ModelComparisonOptions = {}): Figure {
  if (runs.length < 2) throw new Error(`modelComparison needs at least two models, got ${runs.length}`);
  const metric = options.metric ?? 'accuracy';
  const probes = runs.map((run) => chooseProbe(run.rows, metric, options.probe));
  const present = runs.map((run, m) => valuesByTaskLayer(run.rows, metric, probes[m]));
  const tasks = options.tasks ?? [...new Set(present.flatMap((p) => [...p.keys()]))];
  const missing = tasks.filter((t) => !present.some((p) => p.has(t)));
  if (missing.length) throw new Error(`no model has results for task(s) ${missing.join(', ')}`);
  const depthTitle = options.labels?.depth ?? 'Relative depth (layer / L)';
  const metricTitle = options.labels?.metric ?? metric;
  const clip = PROPORTIONS.has(metric) ? (v: number) => Math.min(1, Math.max(0, v)) : (v: number) => v;
  const grid = panelGrid(tasks.length, {
    columns: options.columns ?? 3,
    titles: tasks.map((t) => options.taskTitles?.[t] ?? t),
    xTitle: depthTitle,
    yTitle: metricTitle,
    xaxis: { range: [-0.03, 1.03], tickvals: [0, 0.25, 0.5, 0.75, 1] },
    yaxis: PROPORTIONS.has(metric) ? { range: [0, 1.02] } : {},
  });
  const data: Data[] = [];
  tasks.forEach((task, i) => {
    runs.forEach((run, m) => {
      if (!present[m].has(task)) return;
      const c = curve(run.rows, metric, probes[m], task);
      const depth = Math.max(...c.layers);
      const x = c.layers.map((l) => l / depth);
      const color = paletteColor(m);
      const name = plotlyText(run.name);
      if (c.low && c.high) data.push(bandTrace(x, c.low.map(clip), c.high.map(clip), color, grid.axes[i], `${name} ${options.labels?.band ?? '95% CI'}`, run.name, 0.15));
      data.push({
        type: 'scatter',
        ...grid.axes[i],
        mode: 'lines+markers',
        x,
        y: c.mean,
        customdata: c.layers,
        name,
        legendgroup: run.name,
        showlegend: i === 0,
        line: { color, width: 2 },
        marker: { color, size: 5 },
        hovertemplate: `${name}<br>${plotlyText(task)}<br>%{customdata}/${depth}<br>${plotlyText(metricTitle)} %{y:.4f}<extra></extra>`,
      });
    });
  });
  return {
    data,
    layout: {
      ...grid.layout,
      title: { text: options.title ?? `${metricTitle} by relative depth, one panel per task, one line per model` },
      ...(options.separators ? { separators: options.separators } : {}),
    },
  };
}
