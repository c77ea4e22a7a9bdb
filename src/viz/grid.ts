import type { Layout } from 'plotly.js-dist';
import type { Metric, ProbeName, ResultRow } from '../results/types.js';
import { chooseProbe, chooseTasks, valuesByTaskLayer } from '../results/select.js';
import { bandDescription, curveLabels, PROPORTIONS, taskTraces, tasksWithStyleKeys, type CurveLabels } from './curves.js';
import { layerTicks, paletteColor, plotlyText, type Figure } from './figure.js';

/** Subplot axes for `count` panels in `columns` columns, row by row from the top: Plotly's `xaxis2`/`yaxis2`… with domains. */
export interface PanelGrid {
  /** Trace axis references of panel i: `x`, `y` for the first, `x2`, `y2`, … after. */
  axes: Array<{ xaxis: string; yaxis: string }>;
  /** Layout entries: every axis with its domain and anchor, one title annotation per panel, the height, and a legend below the panels. */
  layout: Partial<Layout>;
}

export interface PanelOptions {
  columns: number;
  titles: readonly string[];
  xTitle: string;
  yTitle: string;
  /** Extra settings for every x axis (ticks, range) and y axis. */
  xaxis?: Record<string, unknown>;
  yaxis?: Record<string, unknown>;
  panelHeight?: number; // CSS pixels per row of panels; default 220
}

/**
 * The panels share the x axis (`matches: 'x'`), so every panel reads the same layers; only the
 * bottom row of each column shows x tick labels' title and the first column the y title.
 */
export function panelGrid(count: number, options: PanelOptions): PanelGrid {
  const columns = Math.max(1, Math.min(options.columns, count));
  const rows = Math.ceil(count / columns);
  const gapX = 0.06;
  const gapY = rows > 1 ? 0.3 / rows : 0; // room for the panel title and tick labels
  const width = (1 - gapX * (columns - 1)) / columns;
  const height = (1 - gapY * (rows - 1)) / rows;
  const layout: Record<string, unknown> = {};
  const annotations: NonNullable<Layout['annotations']> = [];
  const axes: PanelGrid['axes'] = [];
  for (let i = 0; i < count; i++) {
    const row = Math.floor(i / columns);
    const column = i % columns;
    const suffix = i === 0 ? '' : String(i + 1);
    const x0 = column * (width + gapX);
    const y1 = 1 - row * (height + gapY);
    const bottom = i + columns >= count;
    layout[`xaxis${suffix}`] = { ...options.xaxis, domain: [x0, x0 + width], anchor: `y${suffix}`, ...(i ? { matches: 'x' } : {}), title: { text: bottom ? options.xTitle : '' }, zeroline: false };
    layout[`yaxis${suffix}`] = { ...options.yaxis, domain: [y1 - height, y1], anchor: `x${suffix}`, title: { text: column === 0 ? options.yTitle : '' }, zeroline: false };
    annotations.push({ text: `<b>${plotlyText(options.titles[i])}</b>`, x: x0 + width / 2, y: y1, xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false, font: { size: 13 } });
    axes.push({ xaxis: `x${suffix}`, yaxis: `y${suffix}` });
  }
  const pixels = 170 + rows * (options.panelHeight ?? 220);
  return {
    axes,
    layout: { ...(layout as Partial<Layout>), annotations, height: pixels, hovermode: 'closest', legend: { orientation: 'h', x: 0, y: -75 / (pixels - 200), yanchor: 'top' }, margin: { t: 80, b: 120 } }, // legend below the x titles: paper units span the plot area only
  };
}

export interface LayerCurvesGridOptions {
  metric?: Metric; // default 'accuracy'
  tasks?: readonly string[];
  probe?: ProbeName;
  columns?: number; // default 3
  title?: string;
  labels?: Partial<CurveLabels>;
  /** Panel titles per task (default the task's name), e.g. "upos (syntax)". */
  taskTitles?: Readonly<Record<string, string>>;
  separators?: string;
}

/**
 * Small multiples: one panel per task with its curve, band, starred best layer and (for accuracy)
 * its baselines and control task, on a shared layer axis. Many tasks in one overlay are a tangle;
 * here each is read against its own baselines.
 */
export function layerCurvesGrid(rows: readonly ResultRow[], options: LayerCurvesGridOptions = {}): Figure {
  const metric = options.metric ?? 'accuracy';
  const probe = chooseProbe(rows, metric, options.probe);
  const tasks = chooseTasks(valuesByTaskLayer(rows, metric, probe), options.tasks);
  const labels = curveLabels(options.labels);
  const numLayers = 1 + Math.max(...rows.map((r) => r.layer));
  const grid = panelGrid(tasks.length, {
    columns: options.columns ?? 3,
    titles: tasks.map((t) => options.taskTitles?.[t] ?? t),
    xTitle: labels.layer,
    yTitle: labels.metric ?? metric,
    xaxis: { ...layerTicks(numLayers), tickmode: 'array', range: [-0.3, numLayers - 0.7] },
    yaxis: PROPORTIONS.has(metric) ? { range: [0, 1.02] } : {},
  });
  const data = tasksWithStyleKeys(tasks, (task, i) => {
    const traces = taskTraces(rows, task, metric, probe, { color: paletteColor(0), guideColor: '#555', ...grid.axes[i], span: [0, numLayers - 1], prefix: '' }, labels);
    // Only the first panel's line and band enter the legend: the style is the same in every panel.
    for (const trace of traces.data as Array<{ showlegend?: boolean; mode?: string }>) trace.showlegend = i === 0 && trace.mode === 'lines+markers';
    return traces;
  }, labels);
  return {
    data,
    layout: {
      ...grid.layout,
      title: { text: options.title ?? `${labels.metric ?? metric} by layer, one panel per task (${probe} probe; ${bandDescription(rows, metric, probe)}; ★ ${labels.best})` },
      ...(options.separators ? { separators: options.separators } : {}),
    },
  };
}
